-- The Länder the warehouse holds, with their names and colours: the report compares these.
SELECT state AS key, name, column_name AS "column", colour FROM meta.states ORDER BY state
