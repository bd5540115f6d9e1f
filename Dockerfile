# posfaq in a container: built in the Rust image, run from Debian slim as
# a user without privileges.
#
#   docker build -t posfaq .                  the replica image: no index inside;
#                                             it serves a volume or follows a store
#   docker build --target baked -t posfaq:kb .  the same image with corpus/ indexed
#                                             into it at build time
#
# Both listen on 0.0.0.0:8080 and keep their index in /var/lib/posfaq/index.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin posfaq \
    && cp target/release/posfaq /usr/local/bin/posfaq

FROM debian:bookworm-slim AS base
# CA roots for the object stores (S3, GCS, Azure) reached over TLS.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/posfaq --create-home posfaq
COPY --from=build /usr/local/bin/posfaq /usr/local/bin/posfaq
ENV POSFAQ_ADDR=0.0.0.0:8080 \
    POSFAQ_INDEX=/var/lib/posfaq/index
WORKDIR /var/lib/posfaq
EXPOSE 8080
USER 10001:10001
ENTRYPOINT ["posfaq"]
CMD ["serve"]

# The index baked in: built from the corpus at image build time.
FROM build AS indexed
RUN posfaq index --corpus corpus --index /index

FROM base AS baked
COPY --from=indexed --chown=10001:10001 /index /var/lib/posfaq/index

# The default target: the replica image, its index outside it.
FROM base AS runtime
