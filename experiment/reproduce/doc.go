// Package reproduce is the blog post as one experiment (igr reproduce): on
// one data set and one initialization, the learning-rate sweep, GD at the
// small learning rate, label-noise GD beside plain GD, and the small
// initialization; every number printed beside the blog's, and the blog's
// five claims checked on them (Blog, Check).
package reproduce
