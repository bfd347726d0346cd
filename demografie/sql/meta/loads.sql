-- The load manifest: one row per delivery committed to the lake.
CREATE TABLE meta.loads AS
SELECT * REPLACE (
    first_ref_date::DATE AS first_ref_date,
    last_ref_date::DATE AS last_ref_date,
    vintage::TIMESTAMP AS vintage,
    retrieved_at::TIMESTAMP AS retrieved_at,
    written_at::TIMESTAMP AS written_at
)
FROM manifest_entries
ORDER BY source, source_table, vintage, retrieved_at;

COMMENT ON TABLE meta.loads IS
    'One row per distinct delivery in the lake: which load brought it, from which raw file, how many rows, which vintage.';

CREATE TABLE meta.datasets AS SELECT * FROM catalog_datasets ORDER BY name;

COMMENT ON TABLE meta.datasets IS 'The datasets this warehouse is built from, with source table and licence.';
