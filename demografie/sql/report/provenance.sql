-- What the report rests on: the build, whether anything synthetic is in it, the licences.
SELECT
    (SELECT max(built_at) FROM meta.build) AS built_at,
    (SELECT bool_or(synthetic) FROM meta.loads) AS synthetic,
    (SELECT string_agg(DISTINCT d.licence, ' | ') FROM meta.datasets AS d JOIN meta.loads AS l ON l.dataset = d.name)
        AS licences
