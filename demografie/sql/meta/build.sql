CREATE TABLE meta.build (
    built_at TIMESTAMP NOT NULL,
    demografie_version VARCHAR NOT NULL,
    deliveries BIGINT NOT NULL,
    observation_versions BIGINT NOT NULL
);

COMMENT ON TABLE meta.build IS 'When and from how much this warehouse file was built.';
