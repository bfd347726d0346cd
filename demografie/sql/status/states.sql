-- `demografie status`: the Länder the warehouse was built for.
SELECT state FROM meta.states ORDER BY state
