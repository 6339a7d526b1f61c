// Package graph builds models and their training losses as Gorgonia expression
// graphs, with gradients from Gorgonia's automatic differentiation.
//
// A model family implements Architecture: it names its parameters, draws their
// initial values, and builds predictions for a batch of inputs as graph
// operations. Quadratic is the network of the blog post "Implicit bias by large
// learning rate: Noise can be helpful for gradient descent",
//
//	predict(x) = Σ_i b_i (A_i·x)² / scale,
//
// Tanh is a second architecture, a one-hidden-layer tanh network, that the
// same training code drives; both are instances of OneHidden, the network of
// one hidden layer, which builds their predictions and the closed form of
// their per-example gradient norms from the activation alone. Linear is the
// linear model, whose loss is a quadratic with a Hessian known in closed
// form.
//
// NewObjective compiles the mean squared error of an architecture on a data set,
// and its gradient, into a graph and a tape machine; Run evaluates both at the
// current parameter values. Parameters live in Params, plain Gorgonia tensors
// that training updates in place.
//
// Gorgonia's Grad may be called only once on a graph (a second call returns
// wrong numbers, silently), so every level of differentiation gets a graph of
// its own: NewObjective differentiates the loss in a scratch graph and copies
// L and ∇L into a fresh one when a penalty needs ∇L, and GradientOf, which a
// penalty may call and nest, builds the gradient of any scalar made from the
// loss in a further graph and copies it back. Hessian-vector products of a
// loss with penalties and third derivatives are built this way, exact by
// automatic differentiation (package curvature).
//
// Shapes follow two rules that keep Gorgonia's differentiation correct when the
// graph is later differentiated a second time (see the regularizer package):
// every value is a matrix (column vectors are n×1 matrices, never 1-D tensors),
// and squares are written as HadamardProd(x, x).
package graph
