# hookline: multi-stage build on Debian bookworm. The image runs as a non-root user, listens on
# all interfaces (HOST=0.0.0.0) and keeps its data (SQLite file, generated secrets) in /data.

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/deps.sh scripts/deps.sh
RUN scripts/deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DHOOKLINE_TESTS=OFF \
 && cmake --build build -j"$(nproc)" \
 && strip build/hookline

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libboost-url1.81.0 libssl3 libsqlite3-0 libpq5 \
      libspdlog1.10 libfmt9 libjemalloc2 libcairo2 libpango-1.0-0 libpangocairo-1.0-0 fonts-dejavu-core \
      ca-certificates curl sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin hookline \
 && mkdir -p /data && chown hookline:hookline /data
COPY --from=build /src/build/hookline /usr/local/bin/hookline
COPY scripts/simulate-payment.sh /usr/local/bin/simulate-payment
ENV HOST=0.0.0.0 \
    PORT=8080 \
    HOOKLINE_DATA_DIR=/data \
    DATABASE_URL=sqlite:/data/hookline.db
USER hookline
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["hookline", "serve"]
