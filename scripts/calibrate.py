"""Temperature-scale an already trained model on validation data only, in place (train.py does it itself).

    python scripts/calibrate.py --model models/digits.keras --data ../shared/data/mnist --pen ../shared/data/pen-dev

Rebuilds the validation sets train.py chose the epoch on (the same seeded MNIST hold-out, the pen-dev
validation writers, non-digits in held-out fonts), fits one temperature (realtime.calibration), scales
the output layer, and rewrites the .keras model, its LiteRT copy, the checksum manifest and the
card (which records the temperature, the NLL before and after, and this command). A model whose card
already records a calibration is refused: calibrate the trained model, not a calibrated one.
Afterwards choose the "not a digit" threshold again: scripts/choose_rejection.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from realtime.errors import UserError, run_main  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/digits.keras", help="the trained .keras model (rewritten)")
    parser.add_argument("--data", help="MNIST folder (default $MNIST_DIR)")
    parser.add_argument("--pen", help="pen-dev folder (default $PEN_DEV_DIR)")
    parser.add_argument("--non-digits", type=int, default=2000, help="validation non-digits generated")
    args = parser.parse_args(argv)

    model_path = Path(args.model)
    card_path = model_path.with_name(model_path.stem + "_card.json")
    try:
        card = json.loads(card_path.read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the model card {card_path}: {exc}") from None
    if card.get("calibration"):
        raise UserError(f"{model_path} is already calibrated (T = {card['calibration']['temperature']:g})")

    from train import calibrate, render_card, split, validation_sets

    from realtime import pen
    from realtime.mnist import load_mnist
    from realtime.training import NOT_A_DIGIT, redraw

    (train_x, train_y), (test_x, test_y) = load_mnist(args.data)
    try:  # the card's hold-out: the same seeded split train.py chose the epoch on
        val_size, seed = int(card["validation_images"]), int(card["seed"])
    except (KeyError, TypeError, ValueError):
        raise UserError(f"the model card {card_path} does not say how the model was validated") from None
    _, _, val_x, val_y = split(train_x, train_y, val_size, seed)
    validation = validation_sets(val_x, val_y, pen.split(pen.load(args.pen))[1], args.non_digits, seed, redraw)

    import keras

    from realtime.classifier import Classifier
    from realtime.export import export_tflite, top1_agreement
    from realtime.manifest import write_manifest

    try:
        model = keras.saving.load_model(model_path, compile=False)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot load {model_path}: {exc}") from None
    calibration = calibrate(model, validation)
    calibration["command"] = "python " + shlex.join(["scripts/calibrate.py", *(argv if argv is not None else sys.argv[1:])])
    model.save(model_path)
    lite = export_tflite(model, model_path.with_suffix(".tflite"))
    write_manifest(model_path)

    test_input = test_x.astype(np.float32)[..., None] / 255.0
    keras_probs = model.predict(test_input, batch_size=512, verbose=0)[:, :NOT_A_DIGIT]
    lite_probs = Classifier(lite, backend="litert").predict(test_input)
    card["calibration"] = calibration
    card["test_accuracy"] = float(np.mean(keras_probs.argmax(axis=1) == test_y))
    card["test_accuracy_litert"] = float(np.mean(lite_probs.argmax(axis=1) == test_y))
    card["litert_top1_agreement"] = top1_agreement(keras_probs, lite_probs)
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    card_path.with_suffix(".md").write_text(render_card(card))
    print(f"{model_path}: T = {calibration['temperature']:g}, MNIST test {card['test_accuracy']:.4%} "
          f"(LiteRT {card['test_accuracy_litert']:.4%}); now run scripts/choose_rejection.py")
    return 0


if __name__ == "__main__":
    run_main(main)
