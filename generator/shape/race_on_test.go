//go:build race

package shape

// raceSlowdown scales the timing limits of the speed tests under -race.
const raceSlowdown = 10
