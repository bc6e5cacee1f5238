# syntax=docker/dockerfile:1
# Build: the Maven build of the fat jar (tests run in CI, not here).
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY schemas schemas
COPY src/main src/main
RUN mvn -q -B -DskipTests package

# Runtime: a JRE and the jar, as an unprivileged user.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 headgeo \
 && useradd --system --uid 10001 --gid headgeo --home-dir /var/lib/headgeo --no-create-home headgeo \
 && mkdir -p /var/lib/headgeo && chown headgeo:headgeo /var/lib/headgeo
COPY --from=build /src/target/headgeo.jar /opt/headgeo/headgeo.jar
USER headgeo:headgeo
ENV HEADGEO_STATE_DIR=/var/lib/headgeo
# the heap is most of the resident size; see README, "Sizing a deployment"
ENV JDK_JAVA_OPTIONS="-Xmx512m"
VOLUME /var/lib/headgeo
ENTRYPOINT ["java", "-jar", "/opt/headgeo/headgeo.jar"]
CMD ["run"]
