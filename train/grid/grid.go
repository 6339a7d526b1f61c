package grid

import (
	"fmt"
	"strconv"
	"strings"
)

// Axis is one hyperparameter of a grid and the values it takes, in order.
type Axis struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Grid is the cartesian product of its axes. Its cells are numbered with the
// first axis outermost and the last varying fastest.
type Grid struct {
	Axes []Axis
}

// Len is the number of cells; a grid without axes has one.
func (g Grid) Len() int {
	n := 1
	for _, a := range g.Axes {
		n *= len(a.Values)
	}
	return n
}

// Cell is one cell of a grid: its index in the canonical order and its value
// on every axis, in the order of the axes.
type Cell struct {
	Index  int
	Values []float64
}

// Cell returns cell i of the canonical order.
func (g Grid) Cell(i int) Cell {
	c := Cell{Index: i, Values: make([]float64, len(g.Axes))}
	for k := len(g.Axes) - 1; k >= 0; k-- {
		n := len(g.Axes[k].Values)
		c.Values[k] = g.Axes[k].Values[i%n]
		i /= n
	}
	return c
}

// Axis returns the index of the named axis, or -1.
func (g Grid) Axis(name string) int {
	for k, a := range g.Axes {
		if a.Name == name {
			return k
		}
	}
	return -1
}

// Value returns the cell's value on the named axis, and whether the grid has
// that axis.
func (g Grid) Value(c Cell, name string) (float64, bool) {
	k := g.Axis(name)
	if k < 0 {
		return 0, false
	}
	return c.Values[k], true
}

// Index returns the index of the cell with the given value on every axis, in
// the order of the axes, and false if there is none.
func (g Grid) Index(values []float64) (int, bool) {
	if len(values) != len(g.Axes) {
		return 0, false
	}
	i := 0
	for k, a := range g.Axes {
		j := -1
		for n, v := range a.Values {
			if v == values[k] {
				j = n
				break
			}
		}
		if j < 0 {
			return 0, false
		}
		i = i*len(a.Values) + j
	}
	return i, true
}

// Name names a cell by its values, the fastest-varying axis first, as people
// read a sweep: "lr 0.2 seed 0".
func (g Grid) Name(c Cell) string {
	parts := make([]string, 0, len(g.Axes))
	for k := len(g.Axes) - 1; k >= 0; k-- {
		parts = append(parts, g.Axes[k].Name+" "+strconv.FormatFloat(c.Values[k], 'g', -1, 64))
	}
	return strings.Join(parts, " ")
}

// Shard selects part of a grid: the cells Index, Index+Count,
// Index+2·Count, … of the canonical order. The zero Shard is the whole grid.
// Cells go round-robin so that every shard gets cheap and expensive cells
// alike.
type Shard struct {
	Index, Count int
}

// Whole reports whether the shard is the whole grid.
func (s Shard) Whole() bool { return s.Count <= 1 }

// Has reports whether the shard holds cell i of the grid.
func (s Shard) Has(i int) bool { return s.Whole() || i%s.Count == s.Index }

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Check returns an error unless 0 ≤ Index < Count, or the shard is zero.
func (s Shard) Check() error {
	if s.Count < 0 || s.Index < 0 || s.Count > 0 && s.Index >= s.Count || s.Count == 0 && s.Index != 0 {
		return fmt.Errorf("grid: shard %s: want i/N with 0 ≤ i < N", s)
	}
	return nil
}
