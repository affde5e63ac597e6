"""Graph storage: SQLite tables beside the catalog plus an in-process networkx view.

The tables are the truth (``graph.sqlite`` in the KB directory, separate from the catalog so
the two schemas evolve independently); the networkx ``MultiDiGraph`` is rebuilt lazily after a
write and serves traversal (neighbours, paths).  Every mention and every edge row carries the
chunk and document it came from, so ``remove_document`` deletes that evidence and then every
node or edge left with none.  A graph database can replace this class behind ``GraphStore``.

>>> store = SqliteGraphStore(Path("/tmp/kb/graph.sqlite"))
>>> store.add_document("d1", delta)
>>> store.neighbours("e:京东", hops=1)
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from zhiku.errors import StoreError
from zhiku.graph.model import Edge, Entity, Evidence, GraphStats
from zhiku.store.sqlite_tx import atomic

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entity_names (
    entity_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, doc_id TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 1, linkable INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (entity_id, name, type, doc_id));
CREATE TABLE IF NOT EXISTS mentions (
    entity_id TEXT NOT NULL, chunk_id TEXT NOT NULL, doc_id TEXT NOT NULL,
    PRIMARY KEY (entity_id, chunk_id));
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS mentions_chunk ON mentions(chunk_id);
CREATE TABLE IF NOT EXISTS edges (
    edge_id INTEGER PRIMARY KEY, src TEXT NOT NULL, dst TEXT NOT NULL, type TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '', UNIQUE (src, dst, type, label));
CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst);
CREATE TABLE IF NOT EXISTS edge_evidence (
    edge_id INTEGER NOT NULL, chunk_id TEXT NOT NULL, doc_id TEXT NOT NULL, sentence TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'pattern', PRIMARY KEY (edge_id, chunk_id, sentence));
CREATE INDEX IF NOT EXISTS edge_evidence_doc ON edge_evidence(doc_id);
CREATE INDEX IF NOT EXISTS entity_names_doc ON entity_names(doc_id);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS aliases (alias_key TEXT PRIMARY KEY, target_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS llm_cache (
    chunk_id TEXT NOT NULL, doc_id TEXT NOT NULL, extractor TEXT NOT NULL, digest TEXT NOT NULL,
    payload TEXT NOT NULL, PRIMARY KEY (chunk_id, extractor));
"""


@dataclass
class GraphDelta:
    """What one document adds: surface names per entity id, mentions, and edge evidence."""

    names: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (id, name, type) → n
    mentions: set[tuple[str, str]] = field(default_factory=set)  # (entity id, chunk id)
    edges: list[tuple[str, str, str, str, Evidence, str]] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    weak: set[str] = field(default_factory=set)  # names not to link elsewhere (see ``names``)


class GraphStore(Protocol):
    """What the builder, the expander and the CLI need from a graph backend."""

    def add_document(self, doc_id: str, delta: GraphDelta) -> None: ...

    def remove_document(self, doc_id: str) -> None: ...

    def clear(self) -> None: ...

    def entity(self, entity_id: str) -> Entity | None: ...

    def entities(self) -> list[Entity]: ...

    def edges_of(self, entity_id: str, types: Sequence[str] | None = None) -> list[Edge]: ...

    def neighbours(
        self, entity_id: str, hops: int = 1, types: Sequence[str] | None = None
    ) -> dict[str, int]: ...

    def shortest_path(self, src: str, dst: str) -> list[str]: ...

    def stats(self) -> GraphStats: ...


def _edge_id(db: sqlite3.Connection, src: str, dst: str, rtype: str, label: str) -> int:
    """The id of the edge (src, dst, type, label), created when it does not exist yet."""
    db.execute(
        "INSERT OR IGNORE INTO edges(src, dst, type, label) VALUES (?,?,?,?)", (src, dst, rtype, label)
    )
    row = db.execute(
        "SELECT edge_id FROM edges WHERE src=? AND dst=? AND type=? AND label=?", (src, dst, rtype, label)
    ).fetchone()
    return int(row[0])


def _supported(db: sqlite3.Connection, entity_id: str) -> bool:
    """An entity stays while a mention or an edge still refers to it."""
    for sql in (
        "SELECT 1 FROM mentions WHERE entity_id=? LIMIT 1",
        "SELECT 1 FROM edges WHERE src=? LIMIT 1",
        "SELECT 1 FROM edges WHERE dst=? LIMIT 1",
    ):
        if db.execute(sql, (entity_id,)).fetchone() is not None:
            return True
    return False


class SqliteGraphStore:
    """Default graph store: one SQLite file, networkx for traversal (see module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, fast
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(
                f"无法打开图谱库：{exc}", f"cannot open graph store: {exc}", path=str(path)
            ) from exc
        self._lock = threading.RLock()
        self._graph: Any = None
        self._version = 0
        self._batching = False

    def version(self) -> int:
        """Bumped on every write (caches of names and traversal key on it)."""
        return self._version

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes in one transaction (a full rebuild): one commit instead of thousands."""
        with self._tx():
            self._batching = True
            try:
                yield
            finally:
                self._batching = False
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self._batching:
            yield self._db
            self._graph = None
            self._version += 1
            return
        with self._lock:
            with atomic(self._db, self._lock) as db:
                yield db
            self._graph = None
            self._version += 1

    # -- writes ------------------------------------------------------------------------------

    def add_document(self, doc_id: str, delta: GraphDelta, replace: bool = False) -> None:
        """Store a document's delta; ``replace`` first drops what the document had (one transaction)."""
        with self._tx() as db:
            if replace:
                self._remove(db, doc_id, keep_cache=True)
            db.executemany(
                "INSERT INTO entity_names VALUES (?,?,?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n, "
                "linkable = MAX(linkable, excluded.linkable)",
                [
                    (eid, name, etype, doc_id, n, 0 if name in delta.weak else 1)
                    for (eid, name, etype), n in delta.names.items()
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO mentions VALUES (?,?,?)", [(e, c, doc_id) for e, c in delta.mentions]
            )
            for src, dst, rtype, label, ev, source in delta.edges:
                edge_id = _edge_id(db, src, dst, rtype, label)
                db.execute(
                    "INSERT OR IGNORE INTO edge_evidence VALUES (?,?,?,?,?)",
                    (edge_id, ev.chunk_id, ev.doc_id or doc_id, ev.sentence[:500], source),
                )
            db.executemany("INSERT OR REPLACE INTO aliases VALUES (?,?)", list(delta.aliases.items()))

    def remove_document(self, doc_id: str, keep_cache: bool = False) -> None:
        """Drop the document's evidence, then every edge and node that has none left.

        ``keep_cache`` keeps its LLM extractions (re-indexing reuses them by chunk digest).
        """
        with self._tx() as db:
            self._remove(db, doc_id, keep_cache)

    def _remove(self, db: sqlite3.Connection, doc_id: str, keep_cache: bool) -> None:
        # Only what this document touched can lose its last evidence: check just those.
        edge_ids = [
            r[0] for r in db.execute("SELECT DISTINCT edge_id FROM edge_evidence WHERE doc_id=?", (doc_id,))
        ]
        entity_ids = {
            r[0] for r in db.execute("SELECT entity_id FROM entity_names WHERE doc_id=?", (doc_id,))
        }
        entity_ids |= {r[0] for r in db.execute("SELECT entity_id FROM mentions WHERE doc_id=?", (doc_id,))}
        if keep_cache and not edge_ids and not entity_ids:
            return  # a new document: nothing of it is stored (3 deletes per document saved on ingest)
        tables = ("entity_names", "mentions", "edge_evidence") + (() if keep_cache else ("llm_cache",))
        for table in tables:
            db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        for edge_id in edge_ids:
            if (
                db.execute("SELECT 1 FROM edge_evidence WHERE edge_id=? LIMIT 1", (edge_id,)).fetchone()
                is None
            ):
                row = db.execute("SELECT src, dst FROM edges WHERE edge_id=?", (edge_id,)).fetchone()
                db.execute("DELETE FROM edges WHERE edge_id=?", (edge_id,))
                entity_ids.update(row or ())
        for eid in entity_ids:
            if not _supported(db, eid):
                db.execute("DELETE FROM entity_names WHERE entity_id=?", (eid,))

    def merge_entities(self, mapping: dict[str, str], aliases: dict[str, str]) -> None:
        """Fold each entity ``old`` into ``mapping[old]``: names, mentions and edges (with their
        evidence) move over, edges that would join an entity to itself go; ``aliases`` (alias
        key → target key) are saved so later documents link to the merged entity directly."""
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO aliases VALUES (?,?)", list(aliases.items()))
            for old, new in mapping.items():
                db.execute(
                    "INSERT INTO entity_names SELECT ?, name, type, doc_id, n, linkable FROM entity_names "
                    "WHERE entity_id=? ON CONFLICT DO UPDATE SET n = n + excluded.n, "
                    "linkable = MAX(linkable, excluded.linkable)",
                    (new, old),
                )
                db.execute(
                    "INSERT OR IGNORE INTO mentions SELECT ?, chunk_id, doc_id FROM mentions WHERE entity_id=?",
                    (new, old),
                )
                db.execute("DELETE FROM entity_names WHERE entity_id=?", (old,))
                db.execute("DELETE FROM mentions WHERE entity_id=?", (old,))
                rows = db.execute(
                    "SELECT edge_id, src, dst, type, label FROM edges WHERE src=? OR dst=?", (old, old)
                ).fetchall()
                for edge_id, src, dst, rtype, label in rows:
                    src, dst = (new if src == old else src), (new if dst == old else dst)
                    if src != dst:
                        target = _edge_id(db, src, dst, rtype, label)
                        db.execute(
                            "INSERT OR IGNORE INTO edge_evidence SELECT ?, chunk_id, doc_id, sentence, source "
                            "FROM edge_evidence WHERE edge_id=?",
                            (target, edge_id),
                        )
                    db.execute("DELETE FROM edge_evidence WHERE edge_id=?", (edge_id,))
                    db.execute("DELETE FROM edges WHERE edge_id=?", (edge_id,))

    def clear(self) -> None:
        with self._tx() as db:
            for table in ("entity_names", "mentions", "edges", "edge_evidence", "aliases"):
                db.execute(f"DELETE FROM {table}")

    def put_llm(self, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
        """(chunk id, doc id, extractor, digest, payload) — cached LLM extractions."""
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO llm_cache VALUES (?,?,?,?,?)", list(rows))

    def llm_cache(self, doc_id: str | None = None) -> dict[tuple[str, str], tuple[str, str]]:
        """(chunk id, extractor) → (digest, payload), for one document or all."""
        sql = "SELECT chunk_id, extractor, digest, payload FROM llm_cache"
        rows = self._db.execute(sql + " WHERE doc_id=?", (doc_id,)) if doc_id else self._db.execute(sql)
        return {(c, e): (d, p) for c, e, d, p in rows.fetchall()}

    # -- reads -------------------------------------------------------------------------------

    def aliases(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT alias_key, target_key FROM aliases").fetchall())

    def names(self, linkable_only: bool = False) -> dict[str, str]:
        """Surface name → entity id, for finding entities in text.

        ``linkable_only`` leaves out names with no sign of being a name (a dictionary noun that
        was only ever a pattern's subject): questions may name them, but they are not searched
        for in documents, where they would mostly match common words.
        """
        where = " WHERE linkable = 1" if linkable_only else ""
        rows = self._db.execute(
            f"SELECT name, entity_id, SUM(n) FROM entity_names{where} GROUP BY name, entity_id"
        )
        best: dict[str, tuple[str, int]] = {}
        for name, eid, n in rows.fetchall():
            if name not in best or n > best[name][1]:
                best[name] = (eid, n)
        return {name: eid for name, (eid, _) in best.items()}

    def name_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(DISTINCT name) FROM entity_names").fetchone()[0])

    def entity(self, entity_id: str) -> Entity | None:
        rows = self._db.execute(
            "SELECT name, type, SUM(n) FROM entity_names WHERE entity_id=? GROUP BY name, type", (entity_id,)
        ).fetchall()
        if not rows:
            return None
        display, etype, names = _summarise(rows)
        chunks = [
            c for (c,) in self._db.execute("SELECT chunk_id FROM mentions WHERE entity_id=?", (entity_id,))
        ]
        return Entity(entity_id, display, etype, names, tuple(chunks))

    def display_types(self) -> dict[str, tuple[str, str]]:
        """Entity id → (display name, type) for the whole graph in one query.

        Why not ``entities()``: that reads each entity's mentions with two queries per entity,
        and the ingest hook asks for every organisation once per batch (28k queries per batch on
        a 5,000-passage corpus, growing with the graph).
        """
        rows = self._db.execute(
            "SELECT entity_id, name, type, SUM(n) FROM entity_names GROUP BY entity_id, name, type "
            "ORDER BY entity_id, name, type"
        )
        grouped: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for eid, name, etype, n in rows:
            grouped[eid].append((name, etype, n))
        out: dict[str, tuple[str, str]] = {}
        for eid, group in grouped.items():
            display, etype, _ = _summarise(group)
            out[eid] = (display, etype)
        return out

    def entities(self) -> list[Entity]:
        ids = [
            e for (e,) in self._db.execute("SELECT DISTINCT entity_id FROM entity_names ORDER BY entity_id")
        ]
        return [e for e in (self.entity(i) for i in ids) if e is not None]

    def mention_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT entity_id, COUNT(*) FROM mentions GROUP BY entity_id")
        return dict(rows.fetchall())

    def chunk_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(DISTINCT chunk_id) FROM mentions").fetchone()[0])

    def edges_of(self, entity_id: str, types: Sequence[str] | None = None) -> list[Edge]:
        rows = self._db.execute(
            "SELECT edge_id, src, dst, type, label FROM edges WHERE src=? OR dst=?", (entity_id, entity_id)
        ).fetchall()
        return [self._edge(*row) for row in rows if types is None or row[3] in types]

    def all_edges(self, types: Sequence[str] | None = None) -> list[Edge]:
        rows = self._db.execute(
            "SELECT edge_id, src, dst, type, label FROM edges ORDER BY edge_id"
        ).fetchall()
        return [self._edge(*row) for row in rows if types is None or row[3] in types]

    def _edge(self, edge_id: int, src: str, dst: str, rtype: str, label: str) -> Edge:
        evidence = tuple(
            Evidence(c, d, s)
            for c, d, s in self._db.execute(
                "SELECT chunk_id, doc_id, sentence FROM edge_evidence WHERE edge_id=? ORDER BY chunk_id, sentence",
                (edge_id,),
            )
        )
        src_e, dst_e = self.entity(src), self.entity(dst)
        return Edge(
            src, dst, rtype, label, float(len(evidence)), evidence,
            src_e.name if src_e else src, dst_e.name if dst_e else dst,
        )  # fmt: skip

    def graph(self) -> Any:
        """The networkx ``MultiDiGraph`` view (rebuilt after writes)."""
        with self._lock:
            if self._graph is None:
                import networkx as nx

                g = nx.MultiDiGraph()
                for (eid,) in self._db.execute("SELECT DISTINCT entity_id FROM entity_names"):
                    g.add_node(eid)
                rows = self._db.execute(
                    "SELECT e.src, e.dst, e.type, e.label, COUNT(v.edge_id) FROM edges e "
                    "JOIN edge_evidence v ON v.edge_id = e.edge_id GROUP BY e.edge_id"
                )
                for src, dst, rtype, label, n in rows:
                    g.add_edge(src, dst, key=f"{rtype}:{label}", type=rtype, label=label, weight=float(n))
                self._graph = g
            return self._graph

    def neighbours(self, entity_id: str, hops: int = 1, types: Sequence[str] | None = None) -> dict[str, int]:
        """Entity ids within ``hops`` (either direction) → distance; ``types`` limits the edges."""
        g = self.graph()
        if entity_id not in g:
            return {}
        dist = {entity_id: 0}
        frontier = [entity_id]
        for depth in range(1, hops + 1):
            nxt: list[str] = []
            for node in frontier:
                for _, other, data in [
                    *g.out_edges(node, data=True),
                    *((o, s, d) for s, o, d in g.in_edges(node, data=True)),
                ]:
                    if (types is None or data["type"] in types) and other not in dist:
                        dist[other] = depth
                        nxt.append(other)
            frontier = nxt
        dist.pop(entity_id)
        return dist

    def shortest_path(self, src: str, dst: str) -> list[str]:
        import networkx as nx

        g = self.graph()
        if src not in g or dst not in g:
            return []
        try:
            return list(nx.shortest_path(g.to_undirected(as_view=True), src, dst))
        except nx.NetworkXNoPath:
            return []

    def stats(self) -> GraphStats:
        by_rel = dict(self._db.execute("SELECT type, COUNT(*) FROM edges GROUP BY type").fetchall())
        ents = self.entities()
        by_type = Counter(e.type for e in ents)
        return GraphStats(len(ents), sum(by_rel.values()), by_rel, dict(by_type), self.chunk_count())


def _summarise(rows: Sequence[tuple[str, str, int]]) -> tuple[str, str, tuple[str, ...]]:
    """(display name, type, all names) of one entity from its (name, type, count) rows: the most
    used name (shortest on ties), the most used type other than "other"."""
    names: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for name, etype, n in rows:
        names[name] += n
        types[etype] += n
    display = min(names, key=lambda x: (-names[x], len(x), x))
    typed = [t for t, _ in types.most_common() if t != "other"]
    return display, typed[0] if typed else "other", tuple(sorted(names))
