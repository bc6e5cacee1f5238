package dev.headgeo.app;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.NativeLibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RocksDB extracts its ~15 MB native library to a new temporary file at every start and deletes it
 * only on a clean exit, so each kill -9 used to leave one in /tmp. headgeo extracts it into one
 * directory of its own under the state directory and clears older copies there first.
 */
final class RocksDbNative {
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbNative.class);

    private RocksDbNative() {}

    /**
     * Loads the library from {@code stateDir/.rocksdb-native}; Kafka Streams' own load is then a
     * no-op.
     */
    static void loadInto(Path stateDir) {
        Path dir = stateDir.resolve(".rocksdb-native");
        try {
            Files.createDirectories(dir);
            File[] stale = dir.toFile().listFiles((d, name) -> name.startsWith("librocksdbjni"));
            if (stale != null) {
                for (File f : stale) {
                    Files.deleteIfExists(f.toPath());
                }
            }
            NativeLibraryLoader.getInstance().loadLibrary(dir.toString());
        } catch (IOException | RuntimeException e) {
            LOG.debug("RocksDB's native library stays with its default location: {}", e.toString());
        }
    }
}
