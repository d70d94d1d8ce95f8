# siteselect app image: one replica of the Streamlit app; scenarios in PostgreSQL
# (SITESELECT_DB). See compose.yaml for replicas behind a load balancer.
FROM python:3.11-slim

# record: WeasyPrint renders the PDF decision record on Pango, with a font
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 siteselect
WORKDIR /app
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY siteselect ./siteselect
COPY criteria ./criteria
COPY data ./data
COPY ui ./ui
COPY app.py ./
RUN pip install --no-cache-dir -c constraints.txt . \
    && python -c "import siteselect.ranking as r; r.default_catalog()"

USER siteselect
ENV SITESELECT_AUTH=local \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
