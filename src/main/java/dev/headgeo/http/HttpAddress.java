package dev.headgeo.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code HOST:PORT} of the HTTP server ({@code 0.0.0.0:8080}; port 0 for any free one), or {@code
 * none}.
 */
public record HttpAddress(String host, int port) {
    public static final String NONE = "none";

    /**
     * @return null for {@code none}
     * @throws IllegalArgumentException with a message for the user
     */
    public static HttpAddress parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase(NONE)) {
            return null;
        }
        int colon = t.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT or none");
        }
        try {
            int port = Integer.parseInt(t.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new HttpAddress(t.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' has no port number between 0 and 65535");
        }
    }

    /** True for 0.0.0.0 / :: (every interface). */
    public boolean wildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /**
     * The host other instances and people reach this one at: the bound host, or this machine's name
     * for a wildcard.
     */
    public String reachableHost() {
        if (!wildcard()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
