FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY projections ./projections
COPY api ./api
COPY application ./application
COPY adapters ./adapters
COPY migrations ./migrations
COPY demo ./demo
RUN pip install --no-cache-dir -e . && useradd --system ledger
USER ledger
EXPOSE 8000
CMD ["credit-ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
