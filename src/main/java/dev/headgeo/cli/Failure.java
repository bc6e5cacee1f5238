package dev.headgeo.cli;

/** A command could not do its work (not a usage error): printed as one line, exit status 1. */
public class Failure extends RuntimeException {
    public Failure(String message) {
        super(message, null, false, false);
    }
}
