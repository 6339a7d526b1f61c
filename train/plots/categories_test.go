package plots_test

import (
	"bytes"
	"fmt"
	"image/color"
	"testing"

	"github.com/igr-project/igr/train/plots"
)

// A categorical heat map of regimes over learning rate × width, with a line
// that moves from row to row.
func ExampleCategoryMap() {
	f, err := plots.CategoryMap(plots.Categories{
		Grid: plots.Grid{
			Title:   "Regime",
			XLabel:  "lr",
			YLabel:  "width",
			Columns: []string{"0.01", "0.05", "0.1"},
			Rows:    []string{"10", "100"},
		},
		Names:  []string{"stable", "catapult", "diverged"},
		Colors: []color.Color{color.Gray{200}, color.RGBA{0, 158, 115, 255}, color.RGBA{213, 94, 0, 255}},
		Cell:   [][]int{{0, 1, 2}, {0, 0, -1}},
		Mixed:  [][]bool{{false, true, false}, {}},
		Lines:  []plots.RowLine{{Name: "η = 2/λ₀", X: []float64{0.4, 1.5}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	png, err := plots.PNG(f)
	fmt.Println(err == nil && bytes.HasPrefix(png, []byte("\x89PNG")))
	// Output: true
}

func TestCategoryMapRejectsBadInput(t *testing.T) {
	two := []color.Color{color.White, color.Black}
	for name, c := range map[string]plots.Categories{
		"empty":           {Names: []string{"a", "b"}, Colors: two},
		"ragged":          {Grid: plots.Grid{Columns: []string{"a", "b"}, Rows: []string{"1", "2"}}, Names: []string{"a", "b"}, Colors: two, Cell: [][]int{{0, 1}, {1}}},
		"unknown":         {Grid: plots.Grid{Columns: []string{"a"}, Rows: []string{"1"}}, Names: []string{"a", "b"}, Colors: two, Cell: [][]int{{2}}},
		"one category":    {Grid: plots.Grid{Columns: []string{"a"}, Rows: []string{"1"}}, Names: []string{"a"}, Colors: two[:1], Cell: [][]int{{0}}},
		"missing colours": {Grid: plots.Grid{Columns: []string{"a"}, Rows: []string{"1"}}, Names: []string{"a", "b"}, Colors: two[:1], Cell: [][]int{{0}}},
	} {
		if _, err := plots.CategoryMap(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
