//! The typeface: Inter, built into the program (with å, ä and ö, which bevy's own font lacks).

use bevy::prelude::*;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/Inter-Regular.otf");
const SEMIBOLD: &[u8] = include_bytes!("../../assets/fonts/Inter-SemiBold.otf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/Inter-Bold.otf");

/// The loaded weights of Inter.
#[derive(Resource, Debug, Clone)]
pub struct Fonts {
    pub regular: Handle<Font>,
    pub semibold: Handle<Font>,
    pub bold: Handle<Font>,
}

pub(super) fn plugin(app: &mut App) {
    let mut fonts = app.world_mut().resource_mut::<Assets<Font>>();
    let loaded = Fonts {
        regular: fonts.add(Font::from_bytes(REGULAR.to_vec())),
        semibold: fonts.add(Font::from_bytes(SEMIBOLD.to_vec())),
        bold: fonts.add(Font::from_bytes(BOLD.to_vec())),
    };
    app.insert_resource(loaded);
}
