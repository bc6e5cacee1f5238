package dev.headgeo.cli;

/** How a command prints what it reads: lines for people, or one compact JSON value per line. */
enum Format {
    text,
    json
}
