# syntax=docker/dockerfile:1.7
# Warden's container image: built from source with Maven, run on a JRE as a fixed non-root user.
#   docker build -t warden:0.1.0 .
#   docker run --rm -p 8080:8080 -p 9090:9090 -v "$PWD/policies:/etc/warden/policies:ro" warden:0.1.0
# The Helm chart (helm/warden) runs it with a read-only root filesystem, an emptyDir at /tmp, UID/GID 10001.

# ---- build: the same command as the project's build (`mvn -B -DskipTests package`), gateway and what it needs
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests -pl gateway -am package
# The fat jar must hold only the linux-x64 ONNX Runtime natives (gateway/pom.xml filters the others out).
RUN jar tf gateway/target/warden.jar | grep -q '^ai/onnxruntime/native/linux-x64/' \
 && ! jar tf gateway/target/warden.jar | grep -E '^ai/onnxruntime/native/(osx|win|linux-aarch64)'

# ---- run: a JRE with glibc and libstdc++ (ONNX Runtime's native library needs both). linux/amd64 only,
# matching the natives in the jar.
FROM --platform=linux/amd64 eclipse-temurin:17-jre AS runtime
RUN groupadd --system --gid 10001 warden \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin warden \
 && mkdir -p /opt/warden /etc/warden/policies /var/lib/warden \
 && chown 10001:10001 /var/lib/warden
COPY --from=build --chown=root:root --chmod=0444 /src/gateway/target/warden.jar /opt/warden/warden.jar
USER 10001:10001
WORKDIR /var/lib/warden
# Data plane and admin (/livez, /readyz, /metrics, /admin/*).
EXPOSE 8080 9090
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/opt/warden/warden.jar"]
CMD ["serve", "--policy", "/etc/warden/policies", "--port", "8080", "--admin-port", "9090"]
