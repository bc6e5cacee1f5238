package dev.headgeo.dump;

/** A dump that cannot be used; the message is one line for the user. */
public class DumpException extends Exception {
    public DumpException(String message) {
        super(message);
    }
}
