package dev.headgeo.wire;

/** A JSON value that does not fit the Avro schema; the message names the field. */
public class AvroJsonException extends RuntimeException {
    public AvroJsonException(String message) {
        super(message);
    }
}
