CREATE TABLE meta.check_results (
    check_name VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    violations BIGINT NOT NULL,
    sample JSON
);

COMMENT ON TABLE meta.check_results IS
    'The quality checks run when this warehouse was built (sql/checks/), with up to five violating rows each.';
