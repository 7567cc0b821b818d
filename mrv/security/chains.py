"""Checking the hash chains of the append-only tables (mrv/models/chain.py says what a hash covers).

For each table one query recomputes every row's hash and compares, per chain (market) in position order:
the stored hash with the recomputed one, the previous-hash link with the row before, and the position
with the one before plus one (a deleted row leaves a gap). The first failing row of each chain is named
with its position. The head of each chain is kept in the run's record; the next run also checks that the
row at that earlier head still has the same hash and that the chain has not become shorter, which finds
a removed last row too.
"""

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import ChainVerification, Market
from mrv.security.db_roles import APPEND_ONLY

# Append-only but not chained: the checks' own record, and the security events (evidence kept by the
# database's grants and triggers alone; a row per request would serialise every sign-in on one chain).
UNCHAINED = ("mrv.ChainVerification", "signin.SecurityEvent")
CHAINED = [label for label in APPEND_ONLY if label not in UNCHAINED]

POSTGRES_ONLY = _("Hash chains are kept on PostgreSQL only; this database has none to check.")

REASONS = {
    "hash": _("its content does not match its hash (changed after it was written)"),
    "link": _("its link to the previous row does not match that row's hash"),
    "gap": _("the rows before it are missing (position does not follow)"),
    "unsealed": _("it was written without a hash"),
    "head": _("the row at the end of the chain at the previous check has changed or is gone"),
}

_CHECK = """
WITH chain AS (
    SELECT t.id, t.chain_key, t.chain_seq, t.row_hash,
           t.row_hash IS DISTINCT FROM mrv_chain_digest(t.prev_hash, mrv_chain_content(to_jsonb(t), %(excluded)s))
               AS bad_hash,
           t.prev_hash IS DISTINCT FROM coalesce(
               lag(t.row_hash) OVER (PARTITION BY t.chain_key ORDER BY t.chain_seq, t.id), '') AS bad_link,
           t.chain_seq IS DISTINCT FROM coalesce(
               lag(t.chain_seq) OVER (PARTITION BY t.chain_key ORDER BY t.chain_seq, t.id), 0) + 1 AS gap
    FROM {table} t
),
first_broken AS (
    SELECT DISTINCT ON (chain_key) chain_key, id, chain_seq,
           CASE WHEN chain_seq IS NULL THEN 'unsealed' WHEN bad_hash THEN 'hash' WHEN gap THEN 'gap'
                ELSE 'link' END AS reason
    FROM chain WHERE bad_hash OR bad_link OR gap OR chain_seq IS NULL
    ORDER BY chain_key, chain_seq NULLS FIRST, id
),
heads AS (SELECT chain_key, count(*) AS n, max(chain_seq) AS head_seq FROM chain GROUP BY chain_key)
SELECT h.chain_key, h.n, h.head_seq,
       (SELECT c.row_hash FROM chain c WHERE c.chain_key IS NOT DISTINCT FROM h.chain_key
        AND c.chain_seq = h.head_seq LIMIT 1),
       f.id, f.chain_seq, f.reason
FROM heads h LEFT JOIN first_broken f ON f.chain_key IS NOT DISTINCT FROM h.chain_key
ORDER BY h.chain_key
"""


def _check_table(label: str) -> list[dict]:
    model = apps.get_model(label)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_CHECK.format(table=table), {"excluded": ",".join(APPEND_ONLY[label])})
        rows = cursor.fetchall()
    chains = []
    for key, count, head_seq, head_hash, broken_id, broken_seq, reason in rows:
        chains.append(
            {
                "table": label,
                "market_id": key or None,
                "rows": count,
                "head_seq": head_seq,
                "head_hash": head_hash,
                "broken": {"id": broken_id, "position": broken_seq, "reason": reason} if broken_id else None,
            }
        )
    return chains


def _check_previous_heads(chains: list[dict], previous: ChainVerification | None) -> None:
    """A chain whose earlier head is gone or changed is broken at that position."""
    if previous is None:
        return
    current = {(c["table"], c["market_id"]): c for c in chains}
    for old in previous.chains:
        if not old.get("head_seq"):
            continue
        key = (old["table"], old["market_id"])
        now = current.get(key)
        model = apps.get_model(old["table"])
        row = model.objects.filter(chain_key=old["market_id"] or 0, chain_seq=old["head_seq"]).values("id", "row_hash")
        row = row.first()
        if row is not None and row["row_hash"] == old["head_hash"]:
            continue
        if now is None:
            now = {**old, "rows": 0, "head_seq": None, "head_hash": None, "broken": None}
            chains.append(now)
            current[key] = now
        if now["broken"] is None or (now["broken"]["position"] or 0) > old["head_seq"]:
            now["broken"] = {"id": row["id"] if row else None, "position": old["head_seq"], "reason": "head"}


def verify_chains(*, trigger: str, acting_user=None) -> ChainVerification:
    """Check every chain, record the run (and audit it), return the record."""
    if connection.vendor != "postgresql":
        raise RuntimeError(str(POSTGRES_ONLY))
    started = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL timezone TO 'UTC'")  # the hashes cover times as UTC text
        chains = [chain for label in CHAINED for chain in _check_table(label)]
        previous = ChainVerification.objects.order_by("-finished_at", "-id").first()
        _check_previous_heads(chains, previous)
        broken = [c for c in chains if c["broken"]]
        run = ChainVerification.objects.create(
            started_at=started,
            trigger=trigger,
            requested_by=acting_user if getattr(acting_user, "pk", None) else None,
            ok=not broken,
            rows_checked=sum(c["rows"] for c in chains),
            chains=chains,
        )
        log_action(
            run,
            "mrv.chains.verified",
            actor=acting_user,
            to_state="intact" if run.ok else "broken",
            changes={f"{c['table']}#{c['market_id'] or 0}": (None, c["broken"]) for c in broken},
        )
    return run


def describe(chain: dict, markets: dict[int, Market]) -> dict:
    """A chain's entry ready for a page: table name, market, and the broken row in words."""
    model = apps.get_model(chain["table"])
    broken = chain["broken"]
    return {
        **chain,
        "table_name": model._meta.verbose_name_plural,
        "market": markets.get(chain["market_id"]) if chain["market_id"] else None,
        "reason_text": REASONS.get(broken["reason"], broken["reason"]) if broken else "",
    }
