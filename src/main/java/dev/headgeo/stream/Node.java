package dev.headgeo.stream;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A node of the topology by name, with the type of value it takes. Parents send to it with {@link
 * #send}, which only compiles for a value of that type, and {@link HeadgeoTopology} wires it with a
 * processor or serializer of that type: the edges are typed at both ends.
 */
record Node<V>(String name) {
    <T extends V> void send(ProcessorContext<String, ? super T> context, Record<String, T> record) {
        context.forward(record, name);
    }
}
