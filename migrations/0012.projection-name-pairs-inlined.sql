-- depends: 0011.projection-name-pairs
-- The same pairs as 0011's name_pairs, faster: one expression of built-in functions, which
-- PostgreSQL inlines, instead of a query per name (generate_series, array_agg). At the design point
-- (3,090,869 names) computing them took 18.4 s before and 6.3 s after, the index build 27.3 s and
-- 14.4 s; both bodies gave the same set of pairs for every one of those names.
-- The pairs at even offsets, then at odd ones, each split at U+0001, which no stored name holds
-- (records refuse control characters); what is left over, an empty string or the last character
-- alone, is removed. Not STRICT: PostgreSQL does not inline a strict function whose body it
-- cannot prove strict (array_remove is not); on NULL it still returns NULL.
-- The indexes are built again to hold what this body computes (CREATE INDEX blocks the
-- projector's writes meanwhile, not readers).
CREATE OR REPLACE FUNCTION name_pairs(name text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.array_remove(pg_catalog.array_remove(
        pg_catalog.string_to_array(pg_catalog.regexp_replace(pg_catalog.lower(name), '(..)', E'\\1\x01', 'g'), E'\x01')
        OPERATOR(pg_catalog.||) pg_catalog.string_to_array(
            pg_catalog.regexp_replace(pg_catalog.lower(pg_catalog.substr(name, 2)), '(..)', E'\\1\x01', 'g'), E'\x01'),
        ''), pg_catalog.right(pg_catalog.lower(name), 1))
$$;

DROP INDEX IF EXISTS projection_items_a_name_pairs, projection_items_b_name_pairs;
DO $$ BEGIN PERFORM projection_create_indexes('a'); PERFORM projection_create_indexes('b'); END $$;
