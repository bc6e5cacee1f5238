# headgeo's image: the jar built on the host (mvn -B -DskipTests package) on a Java 17 runtime.
# Nothing is downloaded during the build, so it builds where no registry is reachable:
#   docker build -t headgeo:latest .                                           (public Temurin base)
#   docker build --build-arg BASE_IMAGE=headgeo-local/base:bookworm -t … .   (tools/local-images.sh)
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
RUN groupadd --system --gid 10001 headgeo \
 && useradd --system --uid 10001 --gid headgeo --home-dir /var/lib/headgeo --no-create-home headgeo \
 && mkdir -p /var/lib/headgeo && chown headgeo:headgeo /var/lib/headgeo
COPY target/headgeo.jar /opt/headgeo/headgeo.jar
USER headgeo:headgeo
ENV HEADGEO_STATE_DIR=/var/lib/headgeo
# the heap is most of the resident size; GCTimeRatio=4 lets G1 spend up to a fifth of its time collecting before it
# grows the heap (its default, 12, grew it to 416 MB committed with 132 MB live); see docs/performance.md
ENV JDK_JAVA_OPTIONS="-Xmx512m -XX:GCTimeRatio=4"
VOLUME /var/lib/headgeo
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/headgeo/headgeo.jar"]
CMD ["run"]
