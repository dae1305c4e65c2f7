# syntax=docker/dockerfile:1
# Janji in a container: `docker build -t janji .`, then
# `docker run -p 8080:8080 -v janji-data:/data janji` (SQLite in the /data volume), or
# `docker compose up` for PostgreSQL (see docker-compose.yml).

# ---- build ----
FROM rust:1-bookworm AS build
# libpq is built from source with OpenSSL (the postgres-tls feature) so that
# `sslmode=require` works against managed PostgreSQL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The cache mounts keep downloaded crates and compiled dependencies between builds;
# the binary is copied out of the cached target directory in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --features postgres-tls \
 && install -m 0755 target/release/janji /usr/local/bin/janji

# ---- run ----
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin janji \
 && mkdir -p /data \
 && chown janji:janji /data
COPY --from=build /usr/local/bin/janji /usr/local/bin/janji
USER janji
WORKDIR /data
VOLUME ["/data"]
# SQLite in the volume by default; set DATABASE_URL=postgres://... for PostgreSQL.
ENV DATABASE_URL=/data/janji.db \
    JANJI_BIND=0.0.0.0:8080
EXPOSE 8080
# Ready means the database answers. The probe assumes the default port 8080.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz > /dev/null || exit 1
ENTRYPOINT ["janji"]
CMD ["serve"]
