# syntax=docker/dockerfile:1
# The portal in a small image: a static binary (pure Go, SQLite included)
# on distroless, run as a non-root user.
#
#   docker build -t svcportal .
#   docker run -p 8080:8080 -v portal-data:/data svcportal
#
# One box: the defaults keep everything in /data (a volume). Many boxes:
# see compose.yaml and docs/deploy.md.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/portal ./cmd/portal \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/portal /portal
# An empty /data owned by the non-root user (65532), for the volume.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV PORTAL_ADDR=0.0.0.0:8080 \
    PORTAL_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["/portal", "health"]
ENTRYPOINT ["/portal"]
CMD ["serve"]
