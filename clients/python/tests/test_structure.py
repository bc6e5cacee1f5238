"""The package's shape: no module imports another that imports it back (at any depth, imports inside
functions included), and the record limits come from the layer schema the processor reads."""

import ast
import json
import os
import unittest

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "headgeo")
REPO_SCHEMAS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "schemas")


def imports_of(path):
    """The headgeo modules a file imports, wherever in the file."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("headgeo"):
            if node.module == "headgeo":
                found.update("headgeo." + alias.name for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("headgeo."))
    return found


def graph():
    modules = {
        "headgeo." + name[:-3]: os.path.join(PACKAGE, name)
        for name in os.listdir(PACKAGE)
        if name.endswith(".py") and name != "__init__.py"
    }
    return {m: {i for i in imports_of(p) if i in modules and i != m} for m, p in modules.items()}


def cycle(edges):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(m, path):
        state[m] = "open"
        for n in sorted(edges[m]):
            if state.get(n) == "open":
                return [*path[path.index(n) :], n]
            if n not in state:
                found = visit(n, [*path, n])
                if found:
                    return found
        state[m] = "done"
        return None

    for m in sorted(edges):
        if m not in state:
            found = visit(m, [m])
            if found:
                return found
    return None


class StructureTest(unittest.TestCase):
    def test_no_module_imports_itself_back(self):
        self.assertIsNone(cycle(graph()))

    def test_the_cycle_check_finds_a_cycle(self):
        self.assertEqual(cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"])

    def test_the_math_and_the_rules_need_no_kafka_and_no_torch(self):
        edges = graph()
        for module in ("headgeo.geometry", "headgeo.records"):
            with open(os.path.join(PACKAGE, module.split(".")[1] + ".py"), encoding="utf-8") as f:
                text = f.read()
            self.assertNotIn("confluent_kafka", text, module)
            self.assertNotIn("import torch", text, module)
            self.assertNotIn("headgeo.producer", edges[module], module)

    def test_the_packaged_layer_schema_versions_are_the_repositorys(self):
        for packaged, original in (
            ("layer_geometry-v1.avsc", "history/layer_geometry-v1.avsc"),
            ("layer_geometry-v2.avsc", "history/layer_geometry-v2.avsc"),
        ):
            with (
                open(os.path.join(PACKAGE, "schemas", packaged), "rb") as a,
                open(os.path.join(REPO_SCHEMAS, original), "rb") as b,
            ):
                self.assertEqual(a.read(), b.read(), packaged)

    def test_the_tag_limits_are_the_layer_schemas(self):
        from headgeo import records

        with (
            open(os.path.join(PACKAGE, "schemas", "layer_geometry.avsc"), "rb") as a,
            open(os.path.join(REPO_SCHEMAS, "layer_geometry.avsc"), "rb") as b,
        ):
            self.assertEqual(a.read(), b.read(), "the packaged copy of layer_geometry.avsc")
        with open(os.path.join(REPO_SCHEMAS, "layer_geometry.avsc")) as f:
            limits = next(x for x in json.load(f)["fields"] if x["name"] == "tags")["headgeo.limits"]
        self.assertEqual(
            (records.MAX_TAGS, records.MAX_TAG_KEY, records.MAX_TAG_VALUE),
            (limits["max_entries"], limits["max_key_length"], limits["max_value_length"]),
        )
        with self.assertRaisesRegex(ValueError, f"the limit is {limits['max_entries']}"):
            records.checked_tags({f"k{i}": "v" for i in range(limits["max_entries"] + 1)})


if __name__ == "__main__":
    unittest.main()
