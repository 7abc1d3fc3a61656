"""to_mnist: whatever the crop (any size, dtype, stroke width, position), the model sees MNIST's picture.

The property tests are the contract with the rest of the app: a crop either becomes a valid
(28, 28) float32 image in [0, 1], or None, or a ValueError; nothing else may ever escape.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from realtime.preprocess import BOX, SIZE, stroke_width, to_mnist
from realtime.segment import FinderSettings, find_digits

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DTYPES = [np.bool_, np.uint8, np.uint16, np.int32, np.float32, np.float64]


def _valid(out: np.ndarray) -> None:
    assert out.shape == (SIZE, SIZE)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    assert out.min() >= 0.0 and out.max() <= 1.0


def _center_of_mass(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(image.shape)
    total = float(image.sum())
    return float((ys * image).sum()) / total, float((xs * image).sum()) / total


def _ink_box(image: np.ndarray) -> tuple[int, int]:
    """Height and width of the pixels a model would call ink."""
    ys, xs = np.nonzero(image > 0.35)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)


#: Digits as pen strokes in a unit box (x right, y down), so tests control the pen width exactly.
STROKES = {
    "2": [[(0.1, 0.25), (0.3, 0.03), (0.7, 0.03), (0.9, 0.25), (0.9, 0.4), (0.1, 1.0), (0.9, 1.0)]],
    "3": [[(0.1, 0.05), (0.9, 0.05), (0.45, 0.45), (0.9, 0.6), (0.9, 0.85), (0.65, 1.0), (0.1, 0.95)]],
    "4": [[(0.65, 1.0), (0.65, 0.0), (0.05, 0.7), (0.95, 0.7)]],
    "5": [[(0.9, 0.0), (0.15, 0.0), (0.1, 0.45), (0.6, 0.4), (0.9, 0.6), (0.9, 0.85), (0.6, 1.0), (0.1, 0.95)]],
    "7": [[(0.1, 0.0), (0.9, 0.0), (0.35, 1.0)]],
    "8": [[(0.5, 0.5), (0.15, 0.25), (0.5, 0.0), (0.85, 0.25), (0.5, 0.5), (0.1, 0.75), (0.5, 1.0),
           (0.9, 0.75), (0.5, 0.5)]],
}


def _glyph(text: str, thickness: int, size: tuple[int, int] = (300, 300)) -> np.ndarray:
    """A digit drawn with a pen `thickness` px wide, 2/3 of the crop high: white on black, uint8."""
    h, w = size
    height = 2 * h // 3
    x0, y0 = (w - height * 0.6) / 2, (h - height) / 2
    canvas = np.zeros(size, np.uint8)
    for stroke in STROKES[text]:
        points = np.array([(x0 + x * 0.6 * height, y0 + y * height) for x, y in stroke], np.int32)
        cv2.polylines(canvas, [points], False, 255, thickness, cv2.LINE_8)
    return canvas


#: 5th-95th percentile of MNIST training strokes (2 * area / perimeter of the pixels > 127).
MNIST_LIKE = (1.55, 3.8)


def _mnist_like(width: float) -> bool:
    return MNIST_LIKE[0] <= width <= MNIST_LIKE[1]


# --- plain examples -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_output_is_28x28_float32_unit(dtype: type) -> None:
    glyph = _glyph("8", 20) > 0
    if dtype is np.bool_:
        crop = glyph
    elif np.issubdtype(dtype, np.integer):
        crop = glyph.astype(dtype) * np.iinfo(dtype).max
    else:
        crop = glyph.astype(dtype)
    out = to_mnist(crop)
    assert out is not None
    _valid(out)


def test_integer_crops_are_read_on_their_dtypes_range() -> None:
    """Grey levels, not codes: a uint8 crop and the same crop in uint16 (x 257) give the same input
    to the last bit, and a signed crop's negative values are black."""
    grey = cv2.GaussianBlur(_glyph("5", 30), (5, 5), 0)
    out = to_mnist(grey)
    assert np.array_equal(to_mnist(grey.astype(np.uint16) * 257), out)
    signed = grey.astype(np.int16)
    signed[grey == 0] = -100
    assert np.array_equal(to_mnist(signed * 128), to_mnist(grey.astype(np.int16) * 128))


@pytest.mark.parametrize(
    "crop",
    [
        np.zeros((50, 50), np.uint8),
        np.full((3, 7), 0.5, np.float32),
        np.zeros((1, 1), np.float64),
        np.random.default_rng(0).integers(0, 12, (40, 40), dtype=np.uint8),  # sensor noise, no contrast
    ],
    ids=["black", "grey", "1px-black", "faint-noise"],
)
def test_background_only_is_none(crop: np.ndarray) -> None:
    assert to_mnist(crop) is None
    assert to_mnist(crop, ink="dark") is None


@pytest.mark.parametrize(
    "crop",
    [
        np.zeros(10, np.uint8),
        np.zeros((10, 10, 3), np.uint8),
        np.zeros((2, 10, 10), np.uint8),
        np.zeros((0, 10), np.uint8),
        np.zeros((10, 0), np.float32),
        np.zeros((0, 0), np.bool_),
        np.zeros((10, 10), np.complex64),
        np.zeros((10, 10), object),
        np.full((5, 5), "a"),
        np.array([[0.0, np.nan], [1.0, 0.0]]),
        np.array([[0.0, np.inf], [1.0, 0.0]], np.float32),
        np.array([[0.0, -np.inf], [1.0, 0.0]]),
    ],
    ids=["1d", "bgr", "3d", "0xN", "Nx0", "0x0", "complex", "object", "str", "nan", "inf", "-inf"],
)
def test_invalid_crop_raises_value_error(crop: np.ndarray) -> None:
    with pytest.raises(ValueError):
        to_mnist(crop)


def test_not_an_array_and_bad_ink_raise_value_error() -> None:
    with pytest.raises(ValueError):
        to_mnist([[0, 255], [0, 0]])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        to_mnist(_glyph("3", 10), ink="blue")  # type: ignore[arg-type]


def test_tall_thin_one_stays_thin() -> None:
    """A "1" stretched to fill 20x20 would read as a block; MNIST keeps the aspect ratio."""
    crop = np.zeros((240, 120), np.uint8)
    cv2.line(crop, (60, 20), (60, 220), 255, 14)
    out = to_mnist(crop)
    height, width = _ink_box(out)
    assert height == BOX
    assert width <= 4
    assert _mnist_like(stroke_width(out > 0.5))


@pytest.mark.parametrize("text", ["2", "3", "7"])
def test_hairline_gets_mnist_stroke(text: str) -> None:
    """A 1-px mouse line on a big canvas must not fade away or stay a hairline at 28x28."""
    crop = _glyph(text, 1)
    assert stroke_width(crop > 0) < 1.0  # the input really is a hairline
    out = to_mnist(crop)
    assert _mnist_like(stroke_width(out > 0.5))


def test_hairline_one_gets_mnist_stroke() -> None:
    """A vertical 1-px "1" is as wide as its crop: thickening must not be clipped by the crop."""
    crop = np.zeros((300, 300), np.uint8)
    cv2.line(crop, (150, 40), (150, 260), 255, 1)
    assert _mnist_like(stroke_width(to_mnist(crop) > 0.5))


@pytest.mark.parametrize("thickness", [2, 4, 8, 16, 24, 32, 40, 48])
def test_any_pen_gets_mnist_stroke(thickness: int) -> None:
    """From a thin pen to a fat marker (a quarter of the digit's height), an MNIST-like stroke.

    Fatter still, a "4"'s or an "8"'s holes fill in and no normalisation can give the shape back.
    """
    for text in STROKES:
        width = stroke_width(to_mnist(_glyph(text, thickness)) > 0.5)
        assert _mnist_like(width), (text, thickness, width)


@pytest.mark.parametrize("case", ["straight-1", "fat-8"])
def test_tight_mask_of_a_bold_digit_is_read(case: str) -> None:
    """A digit whose ink is most of its box (a straight "1", a fat "8") is still a digit.

    The app's own path: the finder's candidate mask goes to to_mnist as it is, and the bare
    crop too, in case the mask's margin is ever dropped.
    """
    canvas = np.zeros((280, 280), np.uint8)
    if case == "straight-1":
        cv2.line(canvas, (140, 60), (140, 200), 255, 20)
    else:
        canvas = _glyph("8", 48, (280, 280))
    (cand,) = find_digits(canvas, FinderSettings(reject_border=False))
    assert cand.accepted
    x, y, w, h = cand.box
    tight = canvas[y : y + h, x : x + w]
    assert np.count_nonzero(tight) >= 0.5 * tight.size
    for crop in (cand.mask, tight):
        out = to_mnist(crop)
        assert out is not None
        _valid(out)


@pytest.mark.parametrize("offset", [(0, 0), (200, 0), (0, 300), (170, 260)])
def test_center_of_mass_near_frame_center(offset: tuple[int, int]) -> None:
    """Wherever the digit sits in the crop, its centre of mass lands at MNIST's (13.5, 13.5)."""
    crop = np.zeros((500, 600), np.uint8)
    glyph = _glyph("2", 12)
    ys, xs = np.nonzero(glyph)
    glyph = glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    y, x = offset
    crop[y : y + glyph.shape[0], x : x + glyph.shape[1]] = glyph
    cy, cx = _center_of_mass(to_mnist(crop))
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0


def test_dark_ink_equals_light_ink_inverted() -> None:
    light = cv2.GaussianBlur(_glyph("4", 9), (5, 5), 0)  # anti-aliased edges, not just 0/255
    paper = 255 - light
    np.testing.assert_allclose(to_mnist(paper, ink="dark"), to_mnist(light, ink="light"), atol=1e-5)
    as_float = light.astype(np.float32) / 255
    np.testing.assert_allclose(to_mnist(1 - as_float, ink="dark"), to_mnist(as_float), atol=1e-5)


def test_grey_background_pen_on_paper() -> None:
    """A camera crop: grey paper, darker pen, not black and white. Background is removed."""
    crop = np.full((120, 90), 170, np.uint8)
    crop[_glyph("5", 6, (120, 90)) > 0] = 60
    out = to_mnist(crop, ink="dark")
    _valid(out)
    assert out[0].max() == 0 and out[:, 0].max() == 0  # the paper became black


def test_normalize_stroke_off_keeps_a_fat_stroke_fat() -> None:
    fat, normal = to_mnist(_glyph("7", 60), normalize_stroke=False), to_mnist(_glyph("7", 60))
    assert stroke_width(fat > 0.5) > stroke_width(normal > 0.5) + 0.5


def _slant(image: np.ndarray) -> float:
    m = cv2.moments(image.astype(np.float32))
    return m["mu11"] / m["mu02"]


def test_deskew_output_is_valid() -> None:
    crop = np.zeros((200, 200), np.uint8)
    cv2.line(crop, (60, 190), (140, 10), 255, 12)  # a "1" slanted by -0.44 (dx per dy)
    _valid(to_mnist(crop, deskew=True))


def test_deskew_makes_a_slanted_one_upright() -> None:
    crop = np.zeros((200, 200), np.uint8)
    cv2.line(crop, (60, 190), (140, 10), 255, 12)
    assert abs(_slant(to_mnist(crop))) > 0.4
    out = to_mnist(crop, deskew=True)
    assert abs(_slant(out)) < 0.1
    height, width = _ink_box(out)
    assert width <= 6 < height


# --- properties -----------------------------------------------------------------------------------


def _elements(dtype: type) -> st.SearchStrategy:
    if dtype is np.bool_:
        return st.booleans()
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return st.integers(int(info.min), int(info.max))
    width = 32 if dtype is np.float32 else 64
    return st.floats(allow_nan=True, allow_infinity=True, width=width)


@st.composite
def any_crop(draw: st.DrawFn) -> np.ndarray:
    """Any 2-D array, 0-size and 1-px included, of the dtypes the app can hand over.

    Half are dense noise, half mostly background with a few drawn values (ink-like).
    """
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=48))
    sparse = draw(st.booleans())
    fill = st.just(np.zeros((), dtype)[()]) if sparse else None
    return draw(hnp.arrays(dtype, shape, elements=_elements(dtype), fill=fill))


@st.composite
def drawn_crop(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, str]:
    """Strokes of any pen width on a plain background, as the canvas or camera give: (crop, ink mask, ink)."""
    dtype = draw(st.sampled_from(DTYPES))
    ink = draw(st.sampled_from(["light", "dark"]))
    h = draw(st.integers(1, 400))
    w = draw(st.integers(1, 400))
    canvas = np.zeros((h, w), np.uint8)
    for _ in range(draw(st.integers(1, 4))):
        p0 = (draw(st.integers(0, w - 1)), draw(st.integers(0, h - 1)))
        p1 = (draw(st.integers(0, w - 1)), draw(st.integers(0, h - 1)))
        cv2.line(canvas, p0, p1, 255, draw(st.integers(1, 60)))
    mask = canvas > 0
    bright = mask if ink == "light" else ~mask
    if dtype is np.bool_:
        return bright, mask, ink
    top = np.iinfo(dtype).max if np.issubdtype(dtype, np.integer) else 1
    return bright.astype(dtype) * dtype(top), mask, ink


@PROPERTY
@given(crop=any_crop(), ink=st.sampled_from(["light", "dark"]), deskew=st.booleans())
def test_any_array_gives_valid_image_none_or_value_error(crop: np.ndarray, ink: str, deskew: bool) -> None:
    try:
        out = to_mnist(crop, ink=ink, deskew=deskew)
    except ValueError:
        return
    if out is not None:
        _valid(out)


@PROPERTY
@given(crop=any_crop())
def test_bad_input_is_value_error(crop: np.ndarray) -> None:
    """Empty and non-finite crops are bugs upstream: always an error, never None or an image."""
    nonfinite = crop.dtype.kind == "f" and not np.isfinite(crop).all()
    if crop.size == 0 or nonfinite:
        with pytest.raises(ValueError):
            to_mnist(crop)


@PROPERTY
@given(drawn=drawn_crop(), deskew=st.booleans(), normalize_stroke=st.booleans())
def test_strokes_give_valid_image(drawn: tuple[np.ndarray, np.ndarray, str], deskew: bool,
                                  normalize_stroke: bool) -> None:
    """Any visible stroke that is the minority of the crop becomes an image, never None."""
    crop, mask, ink = drawn
    out = to_mnist(crop, ink=ink, deskew=deskew, normalize_stroke=normalize_stroke)
    ink_fraction = np.count_nonzero(mask) / mask.size
    if out is None:
        assert ink_fraction == 0 or ink_fraction >= 0.5
    else:
        _valid(out)
        assert out.max() == pytest.approx(1.0)
