# Everything the image checks must refuse, in one file.
FROM python:latest
ADD https://example.org/tool.tar.gz /opt/
RUN curl -sSL https://example.org/install.sh | sh
RUN pip install requests
USER root
