SELECT built_at, demografie_version, deliveries, observation_versions FROM meta.build
