"""Asking the X server itself, through libxcb: is there a server, does our window still exist, which keys came?

OpenCV's highgui (Qt) answers neither: with no server Qt aborts the process (exit 134, four lines
of Qt), and a window destroyed by another X client (`xdotool windowclose`, a session tool) is
still "visible" to highgui, so camera mode would run on with no window; and highgui keeps only
the last of several keys pressed between two waits. libxcb is the library Qt
itself connects with (libxcb.so.1, needed for any window), called here through ctypes.
"""

from __future__ import annotations

import ctypes
import os
import select
import sys
import time

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
        "xcb_change_window_attributes": (uint, [pointer, uint, uint, ctypes.POINTER(ctypes.c_uint32)]),
        "xcb_get_keyboard_mapping": (uint, [pointer, ctypes.c_uint8, ctypes.c_uint8]),
        "xcb_get_keyboard_mapping_reply": (pointer, [pointer, uint, pointer]),
        "xcb_get_keyboard_mapping_keysyms": (ctypes.POINTER(ctypes.c_uint32), [pointer]),
        "xcb_get_keyboard_mapping_keysyms_length": (ctypes.c_int, [pointer]),
        "xcb_poll_for_event": (pointer, [pointer]),
        "xcb_get_file_descriptor": (ctypes.c_int, [pointer]),
        "xcb_flush": (ctypes.c_int, [pointer]),
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


class _KeyPress(ctypes.Structure):
    """xcb_key_press_event_t, as far as it is read here."""

    _fields_ = [("response_type", ctypes.c_uint8), ("detail", ctypes.c_uint8), ("sequence", ctypes.c_uint16),
                ("time", ctypes.c_uint32), ("root", ctypes.c_uint32), ("event", ctypes.c_uint32),
                ("child", ctypes.c_uint32), ("root_x", ctypes.c_int16), ("root_y", ctypes.c_int16),
                ("event_x", ctypes.c_int16), ("event_y", ctypes.c_int16), ("state", ctypes.c_uint16)]


_KEY_PRESS = 2  # XCB_KEY_PRESS
_CW_EVENT_MASK = 0x800  # XCB_CW_EVENT_MASK
_EVENT_MASK_KEY_PRESS = 1
_EVENT_MASK_POINTER_MOTION = 64
_MOTION_NOTIFY = 6  # XCB_MOTION_NOTIFY
_SHIFT, _LOCK = 1, 2  # modifier bits of a key event's state
# keysyms outside Latin-1 that the app's keys use, as the codes highgui's waitKey gives them
_SPECIAL_KEYSYMS = {0xFF1B: 27, 0xFF0D: 13, 0xFF08: 8, 0xFF09: 9, 0xFFAB: ord("+"), 0xFFAD: ord("-"),
                    **{0xFFB0 + d: ord(str(d)) for d in range(10)}}

_libc = ctypes.CDLL(None) if os.name == "posix" else None  # free() for xcb's replies


_held: list[int] = []  # the connection `connection_problem` keeps open (at most one)


def connection_problem(display: str) -> str | None:
    """Why no X connection can be made to `display` (as Qt would make it), or None if one can.

    A connection made is kept open for the rest of the process: an X server started without
    -noreset (Xvfb's default) resets when its last client leaves, and Qt's own connection, made
    right after this check, was refused in that reset now and then (Qt then aborts the process:
    exit 134 with four lines, on 2 of about 8 starts of draw mode on a fresh Xvfb)."""
    xcb = _load()
    if xcb is None:
        return "libxcb.so.1, which the window needs, is not installed"
    connection = xcb.xcb_connect(display.encode(), None)
    if xcb.xcb_connection_has_error(connection):
        xcb.xcb_disconnect(connection)
        return "no X server answers there, or it refused the connection"
    if _held:
        xcb.xcb_disconnect(connection)
    else:
        _held.append(connection)
    return None


def screen_size(display: str) -> tuple[int, int] | None:
    """(width, height) in pixels of the X screen `display` names, or None if it cannot be asked."""
    xcb = _load()
    if xcb is None:
        return None
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        if xcb.xcb_connection_has_error(connection):
            return None
        screen = xcb.xcb_setup_roots_iterator(xcb.xcb_get_setup(connection)).data
        fields = ctypes.string_at(screen, 24)  # xcb_screen_t: 5 CARD32, then width, height in pixels (CARD16)
        return int.from_bytes(fields[20:22], sys.byteorder), int.from_bytes(fields[22:24], sys.byteorder)
    finally:
        xcb.xcb_disconnect(connection)


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
        self._keymap: tuple[int, int, list[int]] | None = None
        self.moved_at = float("-inf")  # time.monotonic() of the last pointer move over the window seen here
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

    def listen_keys(self) -> bool:
        """Ask the server for the window's key presses on this connection too; True if it now sends them.

        highgui's Qt backend keeps only the last key of those that arrive between two waits (one
        variable, overwritten), so a burst of keys loses all but the last. The X server sends each
        key press to every client that selected them on the window, so reading them here, one
        event each, loses none. Pointer moves over the window come here too (not while a button
        is held: then the X server sends them to Qt alone), so that a doze wakes when the user
        reaches for the canvas (Window.poll_keys). Needs the window found first.
        """
        if self.window is None or self._connection is None:
            return False
        if self._keymap is None:
            self._keymap = self._keyboard_mapping()
        mask = (ctypes.c_uint32 * 1)(_EVENT_MASK_KEY_PRESS | _EVENT_MASK_POINTER_MOTION)
        self._xcb.xcb_change_window_attributes(self._connection, self.window, _CW_EVENT_MASK, mask)
        self._xcb.xcb_flush(self._connection)
        return True

    def keys(self) -> list[int]:
        """The key presses received since the last call, oldest first, as highgui's key codes; a pointer
        move among the events sets `moved_at`."""
        codes = []
        while self._connection is not None:
            event = self._xcb.xcb_poll_for_event(self._connection)
            if not event:
                break
            press = ctypes.cast(event, ctypes.POINTER(_KeyPress)).contents
            if press.response_type & 0x7F == _KEY_PRESS:
                code = self._code(press.detail, press.state)
                if code >= 0:
                    codes.append(code)
            elif press.response_type & 0x7F == _MOTION_NOTIFY:
                self.moved_at = time.monotonic()
            _libc.free(event)
        return codes

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early when an event (a key, a pointer move) arrives on this connection."""
        if self._connection is None:
            time.sleep(seconds)
            return
        select.select([self._xcb.xcb_get_file_descriptor(self._connection)], [], [], seconds)

    def _code(self, keycode: int, state: int) -> int:
        """highgui's code for a key: its character for Latin-1 keysyms (shift chooses the second), -1 if none."""
        first, per, syms = self._keymap or (0, 0, [])
        row = syms[(keycode - first) * per : (keycode - first + 1) * per] if keycode >= first else []
        if not row:
            return -1
        keysym = row[1] if state & _SHIFT and len(row) > 1 and row[1] else row[0]
        if 0 < keysym < 0x100:
            char = chr(keysym)
            return ord(char.upper() if state & _LOCK and not state & _SHIFT else char)
        return _SPECIAL_KEYSYMS.get(keysym, -1)

    def _keyboard_mapping(self) -> tuple[int, int, list[int]]:
        """(first keycode, keysyms per keycode, all keysyms) from the server's core keyboard mapping."""
        setup = ctypes.string_at(self._xcb.xcb_get_setup(self._connection), 36)
        first, last = setup[34], setup[35]  # min_keycode, max_keycode of xcb_setup_t
        cookie = self._xcb.xcb_get_keyboard_mapping(self._connection, first, last - first + 1)
        reply = self._xcb.xcb_get_keyboard_mapping_reply(self._connection, cookie, None)
        if not reply:
            return first, 0, []
        per = ctypes.string_at(reply, 2)[1]  # keysyms_per_keycode
        count = self._xcb.xcb_get_keyboard_mapping_keysyms_length(reply)
        syms = list(self._xcb.xcb_get_keyboard_mapping_keysyms(reply)[:count])
        _libc.free(reply)
        return first, per, syms

    def exists(self) -> bool:
        """False only when the X server says the window is gone. A broken connection (the server
        died) is not a closed window: the display library ends the run as a lost display."""
        if self.window is None or self._connection is None or self._xcb.xcb_connection_has_error(self._connection):
            return True
        error = ctypes.c_void_p()
        cookie = self._xcb.xcb_get_window_attributes(self._connection, self.window)
        reply = self._xcb.xcb_get_window_attributes_reply(self._connection, cookie, ctypes.byref(error))
        _libc.free(reply)
        _libc.free(error)
        return bool(reply) or bool(self._xcb.xcb_connection_has_error(self._connection))

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
