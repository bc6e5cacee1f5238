package dev.headgeo.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * A stable id for an instance: the same after a restart on the same host with the same state
 * directory.
 */
final class InstanceIds {
    private InstanceIds() {}

    static String derive(String stateDir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String dir =
                stateDir == null
                        ? "default"
                        : Path.of(stateDir).toAbsolutePath().normalize().toString();
        return host + "-" + Integer.toHexString(dir.hashCode());
    }
}
