"""Asking the X server itself, through libxcb: is there a server, and does our window still exist?

OpenCV's highgui (Qt) answers neither: with no server Qt aborts the process (exit 134, four lines
of Qt), and a window destroyed by another X client (`xdotool windowclose`, a session tool) is
still "visible" to highgui, so camera mode would run on with no window. libxcb is the library Qt
itself connects with (libxcb.so.1, needed for any window), called here through ctypes.
"""

from __future__ import annotations

import ctypes
import os
import sys

_WM_NAME = 39  # XCB_ATOM_WM_NAME, predefined
_ANY_TYPE = 0


def _load() -> ctypes.CDLL | None:
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None
    _libc.free.argtypes = [ctypes.c_void_p]
    pointer, uint = ctypes.c_void_p, ctypes.c_uint
    signatures = {
        "xcb_connect": (pointer, [ctypes.c_char_p, pointer]),
        "xcb_connection_has_error": (ctypes.c_int, [pointer]),
        "xcb_disconnect": (None, [pointer]),
        "xcb_get_setup": (pointer, [pointer]),
        "xcb_setup_roots_iterator": (_ScreenIterator, [pointer]),
        "xcb_intern_atom": (uint, [pointer, ctypes.c_uint8, ctypes.c_uint16, ctypes.c_char_p]),
        "xcb_intern_atom_reply": (ctypes.POINTER(_AtomReply), [pointer, uint, pointer]),
        "xcb_query_tree": (uint, [pointer, uint]),
        "xcb_query_tree_reply": (pointer, [pointer, uint, pointer]),
        "xcb_query_tree_children": (ctypes.POINTER(uint), [pointer]),
        "xcb_query_tree_children_length": (ctypes.c_int, [pointer]),
        "xcb_get_property": (uint, [pointer, ctypes.c_uint8, uint, uint, uint, uint, uint]),
        "xcb_get_property_reply": (pointer, [pointer, uint, pointer]),
        "xcb_get_property_value": (pointer, [pointer]),
        "xcb_get_property_value_length": (ctypes.c_int, [pointer]),
        "xcb_get_window_attributes": (uint, [pointer, uint]),
        "xcb_get_window_attributes_reply": (pointer, [pointer, uint, ctypes.POINTER(pointer)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(xcb, name)
        function.restype, function.argtypes = restype, argtypes
    return xcb


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_uint32)), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _AtomReply(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("pad", ctypes.c_uint8), ("sequence", ctypes.c_uint16),
                ("length", ctypes.c_uint32), ("atom", ctypes.c_uint32)]


_libc = ctypes.CDLL(None) if os.name == "posix" else None  # free() for xcb's replies


def connection_problem(display: str) -> str | None:
    """Why no X connection can be made to `display` (as Qt would make it), or None if one can."""
    xcb = _load()
    if xcb is None:
        return "libxcb.so.1, which the window needs, is not installed"
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        error = xcb.xcb_connection_has_error(connection)
    finally:
        xcb.xcb_disconnect(connection)
    return None if error == 0 else "no X server answers there, or it refused the connection"


class WindowWatch:
    """This process's top-level window titled `title`; `exists()` asks the X server if it still does.

    Until `find()` has found the window (it may not be mapped yet; no libxcb; an unusual window
    manager), `exists()` says True: the check is then left to highgui, as before.
    """

    def __init__(self, display: str, title: str) -> None:
        self.title = title
        self.window: int | None = None
        self._xcb = _load()
        self._connection = None
        if self._xcb is not None:
            self._connection = self._xcb.xcb_connect(display.encode(), None)
            if self._xcb.xcb_connection_has_error(self._connection):
                self.close()

    def find(self) -> bool:
        """Look for the window once; True when it is known."""
        if self.window is not None or self._connection is None:
            return self.window is not None
        pid_atom = self._atom(b"_NET_WM_PID")
        root = self._xcb.xcb_setup_roots_iterator(self._xcb.xcb_get_setup(self._connection)).data[0]
        # Direct children of the root, and one level below: a window manager's frame holds the window.
        for top in self._children(root):
            for window in [top, *self._children(top)]:
                if self._property(window, _WM_NAME) == self.title.encode() and self._pid(window, pid_atom) == os.getpid():
                    self.window = window
                    return True
        return False

    def exists(self) -> bool:
        if self.window is None or self._connection is None:
            return True
        error = ctypes.c_void_p()
        cookie = self._xcb.xcb_get_window_attributes(self._connection, self.window)
        reply = self._xcb.xcb_get_window_attributes_reply(self._connection, cookie, ctypes.byref(error))
        _libc.free(reply)
        _libc.free(error)
        return bool(reply)

    def close(self) -> None:
        if self._connection is not None:
            self._xcb.xcb_disconnect(self._connection)
            self._connection = None

    def _atom(self, name: bytes) -> int:
        reply = self._xcb.xcb_intern_atom_reply(
            self._connection, self._xcb.xcb_intern_atom(self._connection, 1, len(name), name), None)
        if not reply:
            return 0
        atom = reply.contents.atom
        _libc.free(reply)
        return atom

    def _children(self, window: int) -> list[int]:
        reply = self._xcb.xcb_query_tree_reply(self._connection, self._xcb.xcb_query_tree(self._connection, window), None)
        if not reply:
            return []
        count = self._xcb.xcb_query_tree_children_length(reply)
        children = list(self._xcb.xcb_query_tree_children(reply)[:count])
        _libc.free(reply)
        return children

    def _property(self, window: int, atom: int) -> bytes:
        cookie = self._xcb.xcb_get_property(self._connection, 0, window, atom, _ANY_TYPE, 0, 256)
        reply = self._xcb.xcb_get_property_reply(self._connection, cookie, None)
        if not reply:
            return b""
        value = ctypes.string_at(self._xcb.xcb_get_property_value(reply), self._xcb.xcb_get_property_value_length(reply))
        _libc.free(reply)
        return value

    def _pid(self, window: int, atom: int) -> int | None:
        value = self._property(window, atom) if atom else b""
        return int.from_bytes(value[:4], sys.byteorder) if len(value) >= 4 else None  # CARDINAL/32, host order
