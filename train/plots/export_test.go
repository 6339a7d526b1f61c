package plots

// PowerLabel exposes powerLabel to the tests.
var PowerLabel = powerLabel
