-- The indicators the report draws as maps, in their order (meta.indicators.report_map).
SELECT indicator, title
FROM meta.indicators
WHERE report_map IS NOT NULL
ORDER BY report_map
