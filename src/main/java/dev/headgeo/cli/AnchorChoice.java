package dev.headgeo.cli;

import dev.headgeo.analysis.Anchor;
import java.util.EnumSet;
import java.util.Set;

/** {@code --anchor last|middle|best|all}. */
enum AnchorChoice {
    last,
    middle,
    best,
    all;

    Set<Anchor> anchors() {
        return this == all ? EnumSet.allOf(Anchor.class) : EnumSet.of(primary());
    }

    /** With one anchor, that anchor; with all, LAST. */
    Anchor primary() {
        return switch (this) {
            case middle -> Anchor.MIDDLE;
            case best -> Anchor.BEST;
            case last, all -> Anchor.LAST;
        };
    }
}
