//! Image specs: the four ways to make an image, their fields and their rules.
