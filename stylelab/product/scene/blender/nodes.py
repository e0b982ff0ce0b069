"""Small helpers to create and wire shader nodes by name (Blender 5)."""
from __future__ import annotations

from typing import Any

import bpy


class Graph:
    """A material's node tree, with nodes made and linked in one call each."""

    def __init__(self, material: bpy.types.Material) -> None:
        self.tree = material.node_tree
        self.tree.nodes.clear()

    def node(self, kind: str, inputs: dict[str, Any] | None = None, **props: Any) -> bpy.types.Node:
        node = self.tree.nodes.new(kind)
        for name, value in props.items():
            setattr(node, name, value)
        for name, value in (inputs or {}).items():
            socket = _socket(node.inputs, name)
            if isinstance(value, bpy.types.NodeSocket):
                self.tree.links.new(value, socket)
            else:
                socket.default_value = value
        return node

    def link(self, output: bpy.types.NodeSocket, node: bpy.types.Node, name: str) -> None:
        self.tree.links.new(output, _socket(node.inputs, name))


def out(node: bpy.types.Node, name: str | None = None) -> bpy.types.NodeSocket:
    """A node's output socket by identifier (its first output when no name is given)."""
    return node.outputs[0] if name is None else _socket(node.outputs, name)


def _socket(sockets, name: str) -> bpy.types.NodeSocket:
    for socket in sockets:
        if socket.identifier == name or (socket.name == name and socket.enabled):
            return socket
    raise KeyError(name)


def new_material(name: str) -> tuple[bpy.types.Material, Graph]:
    material = bpy.data.materials.new(name)
    if material.node_tree is None:  # older Blender: node trees are opt-in
        material.use_nodes = True
    return material, Graph(material)
