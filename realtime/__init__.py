"""Real-time handwritten digit recognition: draw mode and camera mode on one MNIST CNN."""

__version__ = "1.0.0"
