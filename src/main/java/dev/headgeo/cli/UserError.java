package dev.headgeo.cli;

/** Bad input from the user: printed as one line, exit status 2. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message, null, false, false);
    }
}
