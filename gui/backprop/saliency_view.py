"""What the network looks at, in the Results view: the sample, its saliency map and Grad-CAM.

The maps are computed on the training worker with the trained model
(engine/training/saliency.py); this view turns the plain arrays into pictures:
the sample in grey, the saliency as heat over black, Grad-CAM as heat laid over
the sample.  For data that is not a picture the saliency is listed per feature.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.training.forward import as_picture
from engine.training.step_formulas import num

SIDE = 128  # pixels each picture is drawn at


def heat(v: np.ndarray) -> np.ndarray:
    """0..1 -> black, red, yellow, white (RGB floats)."""
    v = np.clip(v, 0, 1)[..., None]
    return np.clip(np.concatenate([3 * v, 3 * v - 1, 3 * v - 2], axis=-1), 0, 1)


def pixmap(rgb: np.ndarray) -> QPixmap:
    """An (h, w, 3) array of 0..1 floats as a pixmap SIDE pixels wide, pixels kept square."""
    data = np.ascontiguousarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8))
    h, w, _ = data.shape
    image = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(SIDE, SIDE, Qt.AspectRatioMode.KeepAspectRatio)


class SaliencyView(QWidget):
    def __init__(self, session, sample_index: Callable[[], int]) -> None:
        super().__init__()
        self.session, self.sample_index = session, sample_index
        self.attention = None
        self.button = QPushButton("What does it look at?")
        self.button.setToolTip(
            "Saliency (the gradient of the predicted class's score with respect to the input) and, for a "
            "convolutional design, Grad-CAM, for this sample and the trained model"
        )
        self.button.clicked.connect(self.compute)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.pictures = [QLabel() for _ in range(3)]
        self.titles = [QLabel(t) for t in ("sample", "saliency |∂score/∂x|", "Grad-CAM")]
        grid = QGridLayout()
        for k, (title, picture) in enumerate(zip(self.titles, self.pictures, strict=True)):
            grid.addWidget(title, 0, k)
            grid.addWidget(picture, 1, k)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(grid)
        layout.addWidget(self.caption)
        session.attended.connect(self.show_attention)
        self._show_pictures(False)

    def compute(self) -> None:
        if not self.session.has_model:
            self.caption.setText("Train the design first: this shows what the trained network looks at.")
            return
        self.caption.setText("Computing on the training thread…")
        self.session.attend(self.sample_index())

    def _show_pictures(self, shown: bool) -> None:
        for w in (*self.titles, *self.pictures):
            w.setVisible(shown)

    def show_attention(self, seen) -> None:
        self.attention = seen
        picture = as_picture(seen.sample)
        top = float(seen.saliency.max()) or 1.0
        self.caption.setText(
            f"Class {seen.class_index} (score {num(seen.score)}): brighter pixels change that score most"
            + (f"; Grad-CAM from {seen.grad_cam_layer}'s maps." if seen.grad_cam is not None else ".")
        )
        if picture is None or seen.saliency.ndim != 2:
            self._show_pictures(False)
            values = ", ".join(num(v) for v in np.ravel(seen.saliency)[:16])
            self.caption.setText(self.caption.text() + f" |∂score/∂x| per feature: {values}")
            return
        grey = picture if picture.ndim == 3 else np.repeat(picture[..., None], 3, axis=-1)
        self.pictures[0].setPixmap(pixmap(grey))
        self.pictures[1].setPixmap(pixmap(heat(seen.saliency / top)))
        if seen.grad_cam is not None:
            self.pictures[2].setPixmap(pixmap(0.45 * grey + 0.55 * heat(seen.grad_cam)))
        self._show_pictures(True)
        self.titles[2].setVisible(seen.grad_cam is not None)
        self.pictures[2].setVisible(seen.grad_cam is not None)
