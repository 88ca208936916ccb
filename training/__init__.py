"""DocVault recogniser training: synthetic text lines -> CRNN -> weights/ (see weights/MODEL.md)."""
