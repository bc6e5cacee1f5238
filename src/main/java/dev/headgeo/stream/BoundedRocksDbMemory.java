package dev.headgeo.stream;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One off-heap budget for every RocksDB store of the process, as Kafka Streams' memory-management
 * guide does it: a shared block cache that also holds the memtables (through a write-buffer
 * manager) and the index and filter blocks. Kafka Streams' own default gives each store of each
 * task a 50 MB cache and three 16 MB memtables, which for five stores over a few partitions adds
 * hundreds of MB to the resident size. headgeo's RocksDB stores hold small values (open
 * checkpoints, run histories, summaries, recent reports); the layers are in memory.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    private static final long TOTAL_BYTES = 48L * 1024 * 1024;
    private static final long MEMTABLE_BYTES = 16L * 1024 * 1024;
    private static final long MEMTABLE_SIZE = 4L * 1024 * 1024;

    /**
     * Shared by every store instance, so never closed by one of them. Created on first use: Kafka
     * loads this class while parsing its configuration, before RocksDB's native library is loaded.
     */
    private static final class Shared {
        static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
        static final WriteBufferManager WRITE_BUFFERS =
                new WriteBufferManager(MEMTABLE_BYTES, CACHE);
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(Shared.CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(Shared.WRITE_BUFFERS);
        options.setWriteBufferSize(MEMTABLE_SIZE);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {}
}
