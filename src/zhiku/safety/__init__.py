"""safety stage of zhiku (see DESIGN.md §2)."""
