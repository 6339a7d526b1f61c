// Package compare puts implicit and explicit regularization side by side
// (igr compare): gradient descent with a large step η beside GD with a
// small step h on the explicit regularizers of backward error analysis,
// (η/4)‖∇L‖², the label-noise regularizer and, with a batch size, the SGD
// regularizer; label-noise GD; the central flow of large-step GD (Cohen et
// al., ICLR 2025; package experiment/central), followed to large-step GD's
// own time; and the distance of every deterministic run from large-step GD
// at matched times t. With Sweep it compares the methods' test MSE over a
// grid of η.
package compare
