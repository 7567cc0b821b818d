"""SQL of the hash chains and the append-only guards, used by mrv 0010 and registry 0004 (frozen with them).

See mrv/models/chain.py for what a row's hash covers.
"""

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION mrv_chain_content(row_json jsonb, excluded text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT row_json - ARRAY['row_hash', 'prev_hash'] - string_to_array(coalesce(excluded, ''), ',')
$$;

CREATE OR REPLACE FUNCTION mrv_chain_digest(prev text, content jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(coalesce(prev, '') || content::text, 'UTF8')), 'hex')
$$;

-- BEFORE INSERT: place the row at the end of its chain. TG_ARGV[0]: SQL giving the market id from ($1), the
-- new row; TG_ARGV[1]: comma-separated columns the hash leaves out. Writers of one chain are serialised by a
-- transaction-scoped advisory lock, so positions are gap-free and each row links to the one before it.
CREATE OR REPLACE FUNCTION mrv_chain_seal() RETURNS trigger
LANGUAGE plpgsql SET timezone TO 'UTC' AS $$
DECLARE
    key bigint;
    last_seq bigint;
    last_hash text;
BEGIN
    EXECUTE 'SELECT ' || TG_ARGV[0] INTO key USING NEW;
    key := coalesce(key, 0);
    PERFORM pg_advisory_xact_lock(hashtext('mrv_chain:' || TG_TABLE_NAME), key::integer);
    EXECUTE format(
        'SELECT chain_seq, row_hash FROM %I WHERE chain_key = $1 AND chain_seq IS NOT NULL '
        'ORDER BY chain_seq DESC LIMIT 1', TG_TABLE_NAME
    ) INTO last_seq, last_hash USING key;
    NEW.chain_key := key;
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '');
    NEW.row_hash := mrv_chain_digest(NEW.prev_hash, mrv_chain_content(to_jsonb(NEW), TG_ARGV[1]));
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION mrv_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;

-- A determination's decision columns (TG_ARGV[0]) may be set once, from 'pending'; nothing else changes.
CREATE OR REPLACE FUNCTION mrv_determination_decide_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
    END IF;
    IF OLD.decision <> 'pending' THEN
        RAISE EXCEPTION 'a decided determination is immutable';
    END IF;
    IF mrv_chain_content(to_jsonb(NEW), TG_ARGV[0]) IS DISTINCT FROM mrv_chain_content(to_jsonb(OLD), TG_ARGV[0])
       OR NEW.row_hash IS DISTINCT FROM OLD.row_hash OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash THEN
        RAISE EXCEPTION 'only the decision of a pending determination may be recorded';
    END IF;
    RETURN NEW;
END;
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS mrv_determination_decide_once();
DROP FUNCTION IF EXISTS mrv_refuse_change();
DROP FUNCTION IF EXISTS mrv_chain_seal();
DROP FUNCTION IF EXISTS mrv_chain_digest(text, jsonb);
DROP FUNCTION IF EXISTS mrv_chain_content(jsonb, text);
"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def seal_table(schema_editor, table: str, key_sql: str, excluded: str = "", disable: tuple[str, ...] = ()) -> None:
    """Chain the rows already there (in id order), then seal every new row by trigger; refuse TRUNCATE."""
    if schema_editor.connection.vendor != "postgresql":
        return
    ex = schema_editor.execute
    args = f"{_literal(key_sql)}, {_literal(excluded)}"
    for trigger in disable:
        ex(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    ex(f"CREATE TRIGGER {table}_chain_backfill BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION mrv_chain_seal({args})")
    ex(
        f"DO $$ DECLARE rid bigint; BEGIN FOR rid IN SELECT id FROM {table} ORDER BY id LOOP "
        f"UPDATE {table} SET row_hash = '' WHERE id = rid; END LOOP; END $$"
    )
    ex(f"DROP TRIGGER {table}_chain_backfill ON {table}")
    for trigger in disable:
        ex(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    ex(f"CREATE TRIGGER {table}_chain_seal BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION mrv_chain_seal({args})")
    ex(f"CREATE UNIQUE INDEX {table}_chain_position ON {table} (chain_key, chain_seq)")
    ex(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION mrv_refuse_change()"
    )


def unseal_table(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("chain_seal", "no_truncate", "no_update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {table}_chain_position")


def refuse_changes(schema_editor, table: str, function: str = "mrv_refuse_change", args: str = "") -> None:
    """UPDATE and DELETE refused by trigger (also for the owner, who would have to drop it, leaving a trace)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}({_literal(args) if args else ''})"
    )
