"""``zhiku`` command line.  Each area registers its commands from its own module here.

Errors from ``zhiku.errors`` are turned into a message and an exit code in one place
(``main``), so command functions just raise.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from zhiku.errors import ZhikuError


def build_app() -> typer.Typer:
    """A fresh app with every command registered (tests build their own; no shared state)."""
    app = typer.Typer(
        name="zhiku",
        help="智库 zhiku — 文档进，带引用的答案出 / documents in, cited answers out.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    _register(app)
    return app


def _register(app: typer.Typer) -> None:
    # Imported lazily so `zhiku --help` stays fast and domain code never imports typer.
    from zhiku.cli import core

    core.register(app)
    from zhiku.cli import llm as llm_cli

    llm_cli.register(app)
    from zhiku.cli import bi as bi_cli

    bi_cli.register(app)
    from zhiku.cli import serve as serve_cli

    serve_cli.register(app)
    from zhiku.cli import graph as graph_cli

    graph_cli.register(app)
    from zhiku.cli import compliance as compliance_cli

    compliance_cli.register(app)
    from zhiku.cli import reader as reader_cli

    reader_cli.register(app)


def main(argv: list[str] | None = None) -> None:
    app = build_app()
    try:
        # outside standalone mode click *returns* the code of a ``typer.Exit`` instead of raising
        code = app(args=argv, standalone_mode=False)
    except ZhikuError as exc:
        Console(stderr=True).print(f"[red]错误 / error:[/red] {exc}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and aborts carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        raise
    if isinstance(code, int) and code:
        sys.exit(code)  # e.g. 4: some files failed to ingest (the others were kept)
