# The code of the blog post "Implicit bias by large learning rate: Noise can
# be helpful for gradient descent", as written: its six code blocks in the
# order the post gives them, nothing added or changed. bench/vs_pytorch.sh
# times it as a whole (python3 bench/pytorch/run_seed.py THREADS seed.py).

import torch as th
th.manual_seed(0)

d = 30  # Input dimension
n = 200 # Training examples / testing points

X = th.randn(n*2, d) # Generate random points
y = X[:,0]**2        # Ground truth
X_train, y_train = X[:n,:], y[:n] # Train/test split
X_test,  y_test  = X[n:,:], y[n:]

def makeModel(seed = 0):
  m = 100 # Number of hidden nodes
  A = th.zeros(d,m, requires_grad=True)
  b = th.zeros(m, requires_grad=True)
  th.manual_seed(seed)
  th.nn.init.xavier_normal_(A)
  parameters = [A,b]
  predict = lambda X : (X@A)**2 @ b
  return parameters, predict

def trainModel(parameters, predict, lr):
  loss = 1e100
  while loss > 1e-4:
    loss = th.mean((predict(X_train)-y_train)**2)
    loss.backward()
    with th.no_grad():
      for param in parameters:
        param -= lr * param.grad # Gradient descent
        param.grad[:] = 0
  return th.mean((predict(X_test)-y_test)**2) # Return test MSE

print('MSE = %.2f'%trainModel(*makeModel(), 0.01))

lr_list = th.arange(0.001,0.15,0.005)
mse_list = []
for lr in lr_list:
  mse = trainModel(*makeModel(), lr)
  print("MSE = %.2f"%mse)

def trainModelWithLabelNoise(parameters, predict, lr, steps):
  for _ in range(steps):
    y = y_train + th.randn(y_train.shape)
    loss = th.mean((predict(X_train) - y)**2)
    loss.backward()
    with th.no_grad():
      for param in parameters:
        param -= lr * param.grad # Gradient descent
        param.grad[:] = 0
  return th.mean((predict(X_test)-y_test)**2) # Return test MSE

print('MSE = %.2f'%trainModelWithLabelNoise(*makeModel(), lr = 0.03, steps = 100000))

def makeModelSmallInit(seed = 0):
  m = 100 # Number of hidden nodes
  A = th.zeros(d,m, requires_grad=True)
  b = th.zeros(m, requires_grad=True)
  th.manual_seed(seed)
  th.nn.init.xavier_normal_(A)
  parameters = [A,b]
  predict = lambda X : (X@A)**2 @ b / 100
  return parameters, predict

print('MSE = %.2f'%trainModel(*makeModelSmallInit(), 0.01))
